//! The caseload page: counts, filters, name search and a page of cases, and its CSV download.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::html::{Section, esc, html, notice, page, url_value};
use super::supervisor::{
    OUTCOMES, REVIEWS, Rendered, error_page, label_of, outcome_badge, reviewer_viewer,
};
use crate::error::ApiError;
use crate::review::{CaseFilters, caseload, export_csv};
use crate::state::{AppState, AppStore};

/// The caseload filter form as the browser sends it (empty fields mean "any").
#[derive(Debug, Default, Deserialize)]
pub struct CaseloadQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    review_state: String,
    #[serde(default)]
    conflicts: String,
    #[serde(default)]
    volunteer: String,
    #[serde(default)]
    updated_since: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    order: String,
    offset: Option<u32>,
}

const PAGE: u32 = 50;

impl CaseloadQuery {
    fn filters(&self) -> CaseFilters {
        let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_owned());
        CaseFilters {
            outcome: some(&self.outcome),
            review_state: some(&self.review_state),
            has_conflicts: match self.conflicts.as_str() {
                "yes" => Some(true),
                "no" => Some(false),
                _ => None,
            },
            volunteer: some(&self.volunteer),
            // A date field gives a day; the caseload means "since the start of that day (UTC)".
            updated_since: some(&self.updated_since).map(|d| {
                if d.len() == 10 {
                    format!("{d}T00:00:00Z")
                } else {
                    d
                }
            }),
            q: some(&self.q),
            sort: some(&self.sort),
            order: some(&self.order),
            limit: Some(PAGE),
            offset: self.offset,
        }
    }

    fn link(&self, offset: u32) -> String {
        format!(
            "/cases?q={}&outcome={}&review_state={}&conflicts={}&volunteer={}&updated_since={}&sort={}&order={}&offset={offset}",
            url_value(&self.q),
            url_value(&self.outcome),
            url_value(&self.review_state),
            url_value(&self.conflicts),
            url_value(&self.volunteer),
            url_value(&self.updated_since),
            url_value(&self.sort),
            url_value(&self.order),
        )
    }
}

fn options(selected: &str, choices: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (value, label) in choices {
        let sel = if *value == selected { " selected" } else { "" };
        let _ = write!(
            out,
            "<option value=\"{}\"{sel}>{}</option>",
            esc(value),
            esc(label)
        );
    }
    out
}

/// `GET /cases`: the caseload with filters, counts and name search.
pub async fn caseload_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    query: web::Query<CaseloadQuery>,
) -> HttpResponse {
    render_caseload(&state, &req, &query)
        .await
        .unwrap_or_else(|r| r)
}

async fn render_caseload<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
    query: &CaseloadQuery,
) -> Rendered {
    let v = reviewer_viewer(state, req).await?;
    let users = state
        .hub
        .store()
        .clinic_users(&v.who.clinic_id)
        .await
        .map_err(|e| error_page(&v, &e.into()))?;
    let (data, problem) = match caseload(state, &v.who, &query.filters()).await {
        Ok(data) => (data, None),
        Err(ApiError::Validation(m)) => (
            caseload(
                state,
                &v.who,
                &CaseFilters {
                    limit: Some(PAGE),
                    ..CaseFilters::default()
                },
            )
            .await
            .map_err(|e| error_page(&v, &e))?,
            Some(m),
        ),
        Err(e) => return Err(error_page(&v, &e)),
    };
    let counts = &data.counts;
    let count = |group: &BTreeMap<String, u64>, key: &str| group.get(key).copied().unwrap_or(0);
    let mut main = String::from("<h1>Caseload</h1>");
    if let Some(m) = problem {
        main.push_str(&notice("error", &format!("Filters not applied: {m}")));
    }
    let _ = write!(
        main,
        "<section aria-labelledby=\"counts-h\" data-live=\"\"><h2 id=\"counts-h\" class=\"visually-hidden\">Counts</h2><ul class=\"counts\">\
         <li><span class=\"n\">{}</span> cases</li><li><span class=\"n\">{}</span> eligible</li>\
         <li><span class=\"n\">{}</span> need more information</li><li><span class=\"n\">{}</span> not eligible</li>\
         <li><span class=\"n\">{}</span> with open conflicts</li><li><span class=\"n\">{}</span> awaiting review</li>\
         <li><span class=\"n\">{}</span> possible duplicates</li></ul></section>",
        counts.total,
        count(&counts.by_outcome, "ELIGIBLE"),
        count(&counts.by_outcome, "NEEDS_MORE_INFO"),
        count(&counts.by_outcome, "NOT_ELIGIBLE"),
        counts.with_open_conflicts,
        count(&counts.by_review_state, "none"),
        counts.open_duplicates,
    );
    let mut volunteer_choices: Vec<(String, String)> = vec![(String::new(), "Anyone".to_owned())];
    volunteer_choices.extend(users.iter().map(|u| (u.id.to_string(), u.email.clone())));
    let volunteer_refs: Vec<(&str, &str)> = volunteer_choices
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let mut outcome_choices = vec![("", "Any")];
    outcome_choices.extend_from_slice(OUTCOMES);
    let mut review_choices = vec![("", "Any")];
    review_choices.extend_from_slice(REVIEWS);
    let _ = write!(
        main,
        "<form method=\"get\" action=\"/cases\" class=\"filters\" role=\"search\" aria-label=\"Filter the caseload\">\
         <div><label for=\"q\">Name</label><input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\"></div>\
         <div><label for=\"outcome\">Outcome</label><select id=\"outcome\" name=\"outcome\">{outcome}</select></div>\
         <div><label for=\"review_state\">Review</label><select id=\"review_state\" name=\"review_state\">{review}</select></div>\
         <div><label for=\"conflicts\">Open conflicts</label><select id=\"conflicts\" name=\"conflicts\">{conflicts}</select></div>\
         <div><label for=\"volunteer\">Volunteer</label><select id=\"volunteer\" name=\"volunteer\">{volunteer}</select></div>\
         <div><label for=\"updated_since\">Changed since</label><input id=\"updated_since\" name=\"updated_since\" type=\"date\" value=\"{since}\"></div>\
         <div><label for=\"sort\">Sort by</label><select id=\"sort\" name=\"sort\">{sort}</select></div>\
         <div><label for=\"order\">Order</label><select id=\"order\" name=\"order\">{order}</select></div>\
         <div class=\"actions\"><button type=\"submit\">Apply filters</button> <a href=\"/cases\">Clear</a> \
         <a href=\"/cases/export.csv?{csv}\" download>Download CSV</a></div></form>",
        q = esc(&query.q),
        outcome = options(&query.outcome, &outcome_choices),
        review = options(&query.review_state, &review_choices),
        conflicts = options(
            &query.conflicts,
            &[("", "Any"), ("yes", "Yes"), ("no", "No")]
        ),
        volunteer = options(&query.volunteer, &volunteer_refs),
        since = esc(&query.updated_since),
        sort = options(
            &query.sort,
            &[
                ("", "Last change"),
                ("name", "Name"),
                ("outcome", "Outcome"),
                ("date_of_birth", "Date of birth")
            ]
        ),
        order = options(
            &query.order,
            &[
                ("", "Default"),
                ("asc", "Ascending"),
                ("desc", "Descending")
            ]
        ),
        csv = esc(query.link(0).trim_start_matches("/cases?")),
    );
    let cases = &data.cases;
    let total = data.total;
    let offset = query.offset.unwrap_or(0);
    let _ = write!(
        main,
        "<section data-live=\"\" aria-labelledby=\"list-h\"><h2 id=\"list-h\" class=\"visually-hidden\">Cases</h2>\
         <div class=\"table-wrap\"><table><caption>{total} matching case{plural}{range}</caption>\
         <thead><tr><th scope=\"col\">Name</th><th scope=\"col\">Date of birth</th><th scope=\"col\">Outcome</th>\
         <th scope=\"col\">Conflicts</th><th scope=\"col\">Review</th><th scope=\"col\">Volunteer</th><th scope=\"col\">Last change</th></tr></thead><tbody>",
        plural = if total == 1 { "" } else { "s" },
        range = if total > u64::from(PAGE) {
            format!(
                ", showing {}–{}",
                offset + 1,
                u64::from(offset) + cases.len() as u64
            )
        } else {
            String::new()
        },
    );
    if cases.is_empty() {
        main.push_str("<tr><td colspan=\"7\">No cases match these filters.</td></tr>");
    }
    for c in cases {
        let name = c
            .case
            .legal_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or("(no name yet)");
        let conflicts = c.case.open_conflicts;
        let _ = write!(
            main,
            "<tr><th scope=\"row\"><a href=\"/cases/{id}\">{name}</a></th><td>{dob}</td><td>{outcome}</td>\
             <td>{conflicts}</td><td>{review}</td><td>{volunteer}</td><td>{updated}</td></tr>",
            id = esc(&c.document_id.to_string()),
            name = esc(name),
            dob = esc(c.case.date_of_birth.as_deref().unwrap_or_default()),
            outcome = outcome_badge(c.case.outcome.as_deref(), c.case.provisional),
            conflicts = if conflicts > 0 {
                format!("<strong>{conflicts} open</strong>")
            } else {
                "None".to_owned()
            },
            review = esc(&label_of(REVIEWS, &c.case.review_state)),
            volunteer = esc(c.volunteer_email.as_deref().unwrap_or_default()),
            updated = esc(&c
                .updated_at
                .as_deref()
                .unwrap_or_default()
                .replace('T', " ")),
        );
    }
    main.push_str("</tbody></table></div>");
    let mut pager = String::new();
    if offset > 0 {
        let _ = write!(
            pager,
            "<a href=\"{}\" rel=\"prev\">Previous page</a> ",
            esc(&query.link(offset.saturating_sub(PAGE)))
        );
    }
    if u64::from(offset) + (cases.len() as u64) < total {
        let _ = write!(
            pager,
            "<a href=\"{}\" rel=\"next\">Next page</a>",
            esc(&query.link(offset + PAGE))
        );
    }
    if !pager.is_empty() {
        let _ = write!(
            main,
            "<nav aria-label=\"Pages\" class=\"pager\">{pager}</nav>"
        );
    }
    main.push_str("</section>");
    Ok(html(page("Caseload", Some(&v), Section::Cases, &main)))
}

/// `GET /cases/export.csv`: the API's export, for a signed-in browser.
pub async fn caseload_csv<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    query: web::Query<CaseloadQuery>,
) -> HttpResponse {
    let v = match reviewer_viewer(&state, &req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match export_csv(&state, &v.who, query.filters()).await {
        Ok(csv) => csv.into_response(),
        Err(e) => error_page(&v, &e),
    }
}
