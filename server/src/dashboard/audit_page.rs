//! The audit log page: the clinic's audit entries, newest first, with filters.

use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use fieldclinic_schema::DocumentId;
use serde::Deserialize;

use super::admin_common::{admin_viewer, load_failed};
use super::html::{Section, esc, html, notice, page, url_value, when};
use crate::state::{AppState, AppStore};
use fieldclinic_stores::accounts::AuditQuery;

/// `GET /admin/audit` filters.
#[derive(Debug, Deserialize)]
pub struct AuditFilters {
    doc: Option<String>,
    before: Option<i64>,
}

const AUDIT_PAGE: u32 = 100;

/// `GET /admin/audit`: the clinic's audit log, newest first.
pub async fn audit_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    filters: web::Query<AuditFilters>,
) -> HttpResponse {
    let (v, _) = match admin_viewer(&state.store, &req).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let doc_text = filters.doc.clone().unwrap_or_default();
    let doc = doc_text.trim().parse::<DocumentId>().ok();
    let entries = match state
        .store
        .query_audit(&AuditQuery {
            clinic_id: Some(v.who.clinic_id),
            doc,
            actor_id: None,
            since_millis: None,
            before_id: filters.before,
            limit: AUDIT_PAGE,
        })
        .await
    {
        Ok(e) => e,
        Err(e) => {
            return load_failed(&v, Section::Audit, "Reading the audit log failed.", &e);
        }
    };
    let mut main = String::from("<h1>Audit log</h1>");
    if !doc_text.trim().is_empty() && doc.is_none() {
        main.push_str(&notice(
            "error",
            "That is not a document ID; showing every entry.",
        ));
    }
    let _ = write!(
        main,
        "<form method=\"get\" action=\"/admin/audit\" class=\"filters\" role=\"search\" aria-label=\"Filter the audit log\">\
         <div><label for=\"doc\">Document ID</label><input id=\"doc\" name=\"doc\" type=\"text\" value=\"{}\"></div>\
         <div class=\"actions\"><button type=\"submit\">Filter</button> <a href=\"/admin/audit\">All entries</a></div></form>\
         <div class=\"table-wrap\"><table><caption>Newest first</caption><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th>\
         <th scope=\"col\">What</th><th scope=\"col\">Document</th><th scope=\"col\">Details</th><th scope=\"col\">From</th></tr></thead><tbody>",
        esc(&doc_text)
    );
    for e in &entries {
        let doc = e.doc.map(|d| d.to_string()).unwrap_or_default();
        let _ = write!(
            main,
            "<tr><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            esc(&when(e.at_millis)),
            esc(&e.actor_kind),
            esc(&e.actor_id.chars().take(8).collect::<String>()),
            esc(&e.action),
            if doc.is_empty() {
                String::new()
            } else {
                format!(
                    "<a href=\"/cases/{0}\">{1}</a>",
                    esc(&doc),
                    esc(&doc.chars().take(8).collect::<String>())
                )
            },
            esc(&e.detail.to_string()),
            esc(e.remote_addr.as_deref().unwrap_or("")),
        );
    }
    main.push_str("</tbody></table></div>");
    if entries.len() == AUDIT_PAGE as usize
        && let Some(last) = entries.last()
    {
        let _ = write!(
            main,
            "<nav aria-label=\"Pages\" class=\"pager\"><a href=\"/admin/audit?doc={}&amp;before={}\" rel=\"next\">Older entries</a></nav>",
            url_value(&doc_text),
            last.id
        );
    }
    html(page("Audit log", Some(&v), Section::Audit, &main))
}
