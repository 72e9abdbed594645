//! What the admin pages share: who may see them, the failure page and form messages, and the
//! signed notice a form redirects back with. The pages call the same administrative operations
//! as the admin API and CLI.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use serde::Deserialize;

use super::html::{Section, Viewer, esc, html_status, notice, page};
use super::session::{csrf_failed, csrf_ok, viewer};
use crate::admin::AdminError;
use crate::audit::AuditActor;
use crate::state::AppStore;
use fieldclinic_stores::accounts::Role;

/// The viewer, if they are an admin, with the actor their changes are audited as.
pub(super) async fn admin_viewer<S: AppStore>(
    store: &S,
    req: &HttpRequest,
) -> Result<(Viewer, AuditActor), HttpResponse> {
    let v = viewer(store, req).await.map_err(|e| e.response(req))?;
    if v.who.role != Role::Admin {
        return Err(html_status(
            StatusCode::FORBIDDEN,
            page(
                "Admins only",
                Some(&v),
                Section::None,
                "<h1>Admins only</h1><p>Ask your clinic's admin.</p>",
            ),
        ));
    }
    let actor = AuditActor::user(&v.who.user_id, v.who.remote_addr.clone());
    Ok((v, actor))
}

/// The admin of a posted form, if the form carries their CSRF token.
pub(super) async fn admin_form<S: AppStore>(
    store: &S,
    req: &HttpRequest,
    csrf: &str,
) -> Result<(Viewer, AuditActor), HttpResponse> {
    let (v, actor) = admin_viewer(store, req).await?;
    if csrf_ok(&v, csrf) {
        Ok((v, actor))
    } else {
        Err(csrf_failed(&v))
    }
}

/// The page shown when reading what an admin page lists failed; the cause goes to the log.
pub(super) fn load_failed(
    v: &Viewer,
    section: Section,
    what: &str,
    e: &dyn std::fmt::Display,
) -> HttpResponse {
    tracing::error!(error.message = %e, "{what}");
    html_status(
        StatusCode::INTERNAL_SERVER_ERROR,
        page(
            "Error",
            Some(v),
            section,
            &format!("<h1>Error</h1><p>{}</p>", esc(what)),
        ),
    )
}

/// What a failed admin form tells the person, without server internals.
pub(super) fn admin_message(e: &AdminError) -> String {
    match e {
        AdminError::Invalid(m) => m.clone(),
        AdminError::NotFound(what) => format!("No such {what} in your clinic."),
        AdminError::EmailTaken => e.to_string(),
        AdminError::Store(_) | AdminError::Other(_) => {
            tracing::error!(error.message = %e, "dashboard admin action failed");
            "Saving failed on the server; nothing was changed. Try again.".to_owned()
        }
    }
}

/// `?done=` / `?error=` after an admin form, with the server's signature (see
/// [`super::notice`]); unsigned text is never shown.
#[derive(Debug, Deserialize)]
pub struct Outcome {
    done: Option<String>,
    error: Option<String>,
    sig: Option<String>,
}

/// The notice of a signed outcome; nothing for an unsigned or missing one.
pub(super) fn outcome_notice(o: &Outcome) -> String {
    let sig = o.sig.as_deref();
    if let Some(e) = super::notice::verified("error", o.error.as_deref(), sig) {
        notice("error", e)
    } else if let Some(d) = super::notice::verified("done", o.done.as_deref(), sig) {
        notice("ok", d)
    } else {
        String::new()
    }
}
