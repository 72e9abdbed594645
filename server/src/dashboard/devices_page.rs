//! The devices page: the clinic's enrolled devices, enrolling one (a QR code or a copyable
//! token, shown once) and revoking one.

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;
use serde::Deserialize;

use super::admin_common::{
    Outcome, admin_form, admin_message, admin_viewer, load_failed, outcome_notice,
};
use super::html::{Section, esc, html, notice, page, see_other, when};
use super::notice::signed;
use crate::admin::{self};
use crate::state::{AppState, AppStore};
use fieldclinic_stores::accounts::DeviceId;

/// `GET /admin/devices`.
pub async fn devices_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    outcome: web::Query<Outcome>,
) -> HttpResponse {
    let (v, _) = match admin_viewer(&state.store, &req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let (users, devices) = match (
        state.store.clinic_users(&v.who.clinic_id).await,
        state.store.clinic_devices(&v.who.clinic_id).await,
    ) {
        (Ok(u), Ok(d)) => (u, d),
        (Err(e), _) | (_, Err(e)) => {
            return load_failed(&v, Section::Devices, "Listing devices failed.", &e);
        }
    };
    let mut main = format!("<h1>Devices</h1>{}", outcome_notice(&outcome));
    main.push_str("<div class=\"table-wrap\"><table><caption>Enrolled phones and tablets</caption><thead><tr><th scope=\"col\">Name</th><th scope=\"col\">User</th><th scope=\"col\">Enrolled</th><th scope=\"col\">Last seen</th><th scope=\"col\">Status</th></tr></thead><tbody>");
    for d in &devices {
        let owner = users
            .iter()
            .find(|u| u.id == d.user_id)
            .map_or("", |u| u.email.as_str());
        let status = match d.revoked_at_millis {
            Some(at) => format!("Revoked {}", esc(&when(at))),
            None => format!(
                "Active <form method=\"post\" action=\"/admin/devices/{id}/revoke\" class=\"inline\">{csrf}\
                 <button type=\"submit\" aria-label=\"Revoke {name}\">Revoke</button></form>",
                id = d.id,
                csrf = v.csrf_field(),
                name = esc(&d.name),
            ),
        };
        let _ = write!(
            main,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{status}</td></tr>",
            esc(&d.name),
            esc(owner),
            esc(&when(d.created_at_millis)),
            d.last_seen_at_millis
                .map(|t| esc(&when(t)))
                .unwrap_or_else(|| "never".to_owned()),
        );
    }
    main.push_str("</tbody></table></div><h2>Enroll a device</h2>");
    let _ = write!(
        main,
        "<form method=\"post\" action=\"/admin/devices\" class=\"stack narrow\">{}\
         <label for=\"dev-user\">For</label><select id=\"dev-user\" name=\"user_email\">",
        v.csrf_field()
    );
    for u in users.iter().filter(|u| u.disabled_at_millis.is_none()) {
        let _ = write!(
            main,
            "<option value=\"{0}\">{0} ({1})</option>",
            esc(&u.email),
            u.role.as_str()
        );
    }
    main.push_str(
        "</select><label for=\"dev-name\">Device name</label><input id=\"dev-name\" name=\"name\" type=\"text\" required \
         placeholder=\"Tablet 3\"><button type=\"submit\">Enroll</button></form>",
    );
    html(page("Devices", Some(&v), Section::Devices, &main))
}

/// `POST /admin/devices` form.
#[derive(Debug, Deserialize)]
pub struct EnrollForm {
    csrf: String,
    user_email: String,
    name: String,
}

/// What the intake app scans: the server to sync with and the device's token.
fn enrollment_payload(server: &str, token: &str) -> String {
    serde_json::json!({ "fieldclinic": 1, "server": server, "token": token }).to_string()
}

/// `POST /admin/devices`: enrolls and shows the token once, as text and as a QR code.
pub async fn enroll_device<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    form: web::Form<EnrollForm>,
) -> HttpResponse {
    let (v, actor) = match admin_form(&state.store, &req, &form.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let e = match admin::enroll_device(
        &state.store,
        v.who.clinic_id,
        &form.user_email,
        form.name.trim(),
        &actor,
    )
    .await
    {
        Ok(e) => e,
        Err(e) => {
            return see_other(&format!(
                "/admin/devices?{}",
                signed("error", &admin_message(&e))
            ));
        }
    };
    let info = req.connection_info();
    let scheme = if state.dashboard.secure_cookies {
        "https"
    } else {
        info.scheme()
    };
    let server = format!("{scheme}://{}", info.host());
    let token = e.token.expose_secret();
    let payload = enrollment_payload(&server, token);
    let qr = match qrcode::QrCode::new(payload.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(240, 240)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
        Err(err) => {
            tracing::error!(error.message = %err, "QR code not rendered");
            String::new()
        }
    };
    // The SVG is generated here from the payload, never from user input as markup.
    let qr_img = if qr.is_empty() {
        String::new()
    } else {
        format!(
            "<img class=\"qr\" width=\"240\" height=\"240\" alt=\"QR code of the enrollment for {name}: scan it with the intake app\" src=\"data:image/svg+xml;base64,{b64}\">",
            name = esc(form.name.trim()),
            b64 = base64_encode(qr.as_bytes()),
        )
    };
    let main = format!(
        "<h1>Device enrolled</h1>{ok}<p>On <strong>{name}</strong>, open the intake app at <strong>{app}</strong>, then scan this code \
         or copy the token into its Device token field. \
         The token is shown <strong>only now</strong>; it is stored only as a hash.</p>{qr_img}\
         <div class=\"stack\"><label for=\"token\">Device token</label><input id=\"token\" type=\"text\" readonly value=\"{token}\" class=\"token\">\
         <label for=\"payload\">Enrollment (what the code holds)</label><textarea id=\"payload\" class=\"token\" readonly rows=\"3\">{payload}</textarea></div>\
         <p><a href=\"/admin/devices\">Back to devices</a></p>",
        ok = notice(
            "ok",
            &format!("Enrolled {} for {}.", form.name.trim(), form.user_email)
        ),
        name = esc(form.name.trim()),
        app = esc(&format!("{server}/app/")),
        token = esc(token),
        payload = esc(&payload),
    );
    html(page("Device enrolled", Some(&v), Section::Devices, &main))
}

fn base64_encode(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(TABLE[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `POST /admin/devices/{id}/revoke`: revokes and closes the device's connections at once.
pub async fn revoke_device<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    form: web::Form<super::session::CsrfForm>,
) -> HttpResponse {
    let (v, actor) = match admin_form(&state.store, &req, form.csrf()).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(id) = path.parse::<DeviceId>() else {
        return see_other(&format!(
            "/admin/devices?{}",
            signed("error", "No such device.")
        ));
    };
    match admin::revoke_device(&state.store, id, Some(v.who.clinic_id), &actor).await {
        Ok(device) => {
            let closed = state.hub.close_connections(|p| p.device_id == Some(id));
            see_other(&format!(
                "/admin/devices?{}",
                signed(
                    "done",
                    &format!("Revoked {} ({closed} connection(s) closed).", device.name)
                )
            ))
        }
        Err(e) => see_other(&format!(
            "/admin/devices?{}",
            signed("error", &admin_message(&e))
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64_encode(b""), "");
        assert_eq!(base64_encode(b"f"), "Zg==");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_encode(b"foo"), "Zm9v");
        assert_eq!(base64_encode(b"<svg/>"), "PHN2Zy8+");
    }

    #[test]
    fn the_enrollment_payload_is_json_with_the_server_and_token() {
        let p: serde_json::Value =
            serde_json::from_str(&enrollment_payload("https://c.example", "fcd_x")).unwrap();
        assert_eq!(p["server"], "https://c.example");
        assert_eq!(p["token"], "fcd_x");
    }
}
