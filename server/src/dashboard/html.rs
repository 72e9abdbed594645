//! HTML building blocks: escaping, the page layout, and responses with the dashboard's security
//! headers. Pages are server-rendered strings: small, fast on a slow connection, no framework.

use std::fmt::Write as _;

use actix_web::HttpResponse;
use actix_web::http::header;

use fieldclinic_domain::Principal;
use fieldclinic_stores::accounts::Role;

/// Text escaped for HTML content and attribute values.
#[must_use]
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for a URL query value.
#[must_use]
pub fn url_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Which navigation entry a page belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The caseload and case pages.
    Cases,
    /// Duplicate people.
    Duplicates,
    /// Users.
    Users,
    /// Devices.
    Devices,
    /// The audit log.
    Audit,
    /// Signed out.
    None,
}

/// The signed-in person a page is for, with the form token their forms carry.
#[derive(Debug, Clone)]
pub struct Viewer {
    /// Who.
    pub who: Principal,
    /// Their email, shown in the header.
    pub email: String,
    /// The CSRF token of their session.
    pub csrf: String,
}

impl Viewer {
    /// The hidden form field carrying the CSRF token.
    #[must_use]
    pub fn csrf_field(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            esc(&self.csrf)
        )
    }
}

/// A whole page: `main` is already-escaped HTML.
#[must_use]
pub fn page(title: &str, viewer: Option<&Viewer>, section: Section, main: &str) -> String {
    let mut nav = String::new();
    if let Some(v) = viewer {
        let link = |href: &str, label: &str, this: Section| {
            let current = if section == this {
                " aria-current=\"page\""
            } else {
                ""
            };
            format!("<li><a href=\"{href}\"{current}>{label}</a></li>")
        };
        nav.push_str("<nav aria-label=\"Main\"><ul>");
        if v.who.sees_whole_clinic() {
            nav.push_str(&link("/cases", "Caseload", Section::Cases));
            nav.push_str(&link(
                "/duplicates",
                "Duplicate people",
                Section::Duplicates,
            ));
        }
        if v.who.role == Role::Admin {
            nav.push_str(&link("/admin/users", "Users", Section::Users));
            nav.push_str(&link("/admin/devices", "Devices", Section::Devices));
            nav.push_str(&link("/admin/audit", "Audit log", Section::Audit));
        }
        nav.push_str("</ul></nav>");
        let _ = write!(
            nav,
            "<form method=\"post\" action=\"/logout\" class=\"signout\">{}<span>{}</span> \
             <button type=\"submit\">Sign out</button></form>",
            v.csrf_field(),
            esc(&v.email)
        );
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · fieldclinic</title>\
         <link rel=\"stylesheet\" href=\"/assets/app.css\">\
         <script src=\"/assets/app.js\" defer></script></head>\
         <body><a class=\"skip\" href=\"#main\">Skip to content</a>\
         <header><p class=\"brand\"><a href=\"/\">fieldclinic</a></p>{nav}</header>\
         <main id=\"main\" tabindex=\"-1\">{main}</main>\
         <div id=\"live-status\" class=\"visually-hidden\" role=\"status\" aria-live=\"polite\"></div>\
         </body></html>",
        title = esc(title),
    )
}

/// Security headers every dashboard page carries: no inline script may run, nothing may frame
/// it, and pages with personal data are never cached.
fn secured(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}

/// A 200 HTML page.
#[must_use]
pub fn html(body: String) -> HttpResponse {
    secured(HttpResponse::Ok())
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// An HTML page with another status (an error page, a form shown again with its problem).
#[must_use]
pub fn html_status(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    secured(HttpResponse::build(status))
        .content_type("text/html; charset=utf-8")
        .body(body)
}

/// A redirect after a form post (303, so the browser follows with GET).
#[must_use]
pub fn see_other(location: &str) -> HttpResponse {
    secured(HttpResponse::SeeOther())
        .insert_header((header::LOCATION, location))
        .finish()
}

/// A notice shown at the top of a page (`role="alert"` for problems, `status` for news).
#[must_use]
pub fn notice(kind: &str, text: &str) -> String {
    let role = if kind == "error" { "alert" } else { "status" };
    format!(
        "<p class=\"notice notice-{kind}\" role=\"{role}\">{}</p>",
        esc(text)
    )
}

/// Milliseconds since the epoch as a readable UTC time.
#[must_use]
pub fn when(millis: i64) -> String {
    fieldclinic_domain::clock::rfc3339_millis(millis)
        .map(|t| t.replace('T', " ").trim_end_matches('Z').to_owned() + " UTC")
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_content_and_attributes() {
        assert_eq!(
            esc("<a href=\"x\">O'Brien & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;"
        );
        assert_eq!(url_value("Ana María/1"), "Ana%20Mar%C3%ADa%2F1");
    }
}
