//! The supervisor pages: caseload, case, duplicate people, and the forms that review a case,
//! resolve a conflict and link or dismiss duplicates. They render the review API's own JSON (the
//! same functions answer `/api/v1`), so the dashboard and the API cannot disagree.

use std::collections::HashMap;
use std::fmt::Write as _;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::Value;

use super::html::{Section, Viewer, esc, html, html_status, notice, page, see_other, url_value};
use super::session::{csrf_failed, csrf_ok, viewer};
use crate::error::ApiError;
use crate::routes::cases::{
    CaseFilters, DuplicateDecision, DuplicateFilters, ResolveRequest, ReviewRequest, case_view,
    caseload, clinic_intake, decide_pair, duplicate_list, resolve, submit_review,
};
use crate::state::{AppState, AppStore};
use fieldclinic_review::packet;

/// A page body or the response that replaces it (sign-in redirect, error page).
type Rendered = Result<HttpResponse, HttpResponse>;

/// The viewer, if they may review cases.
async fn reviewer_viewer<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
) -> Result<Viewer, HttpResponse> {
    let v = viewer(&state.store, req)
        .await
        .map_err(|e| e.response(req))?;
    if v.who.sees_whole_clinic() {
        Ok(v)
    } else {
        Err(html_status(
            StatusCode::FORBIDDEN,
            page(
                "Not available",
                Some(&v),
                Section::None,
                "<h1>Not available to volunteers</h1><p>The dashboard is for supervisors and \
                 admins. Record and update intakes in the intake app on your device.</p>",
            ),
        ))
    }
}

fn error_page(v: &Viewer, e: &ApiError) -> HttpResponse {
    let (status, title, text) = match e {
        ApiError::NotFound => (
            StatusCode::NOT_FOUND,
            "Not found",
            "There is no such case in your clinic.".to_owned(),
        ),
        ApiError::Validation(m) | ApiError::Conflict(m) => {
            (StatusCode::BAD_REQUEST, "Check the request", m.clone())
        }
        ApiError::Forbidden | ApiError::Unauthorized => (
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Your role may not do this.".to_owned(),
        ),
        ApiError::Unexpected(err) => {
            tracing::error!(error.cause_chain = ?err, error.message = %err, "dashboard request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Error",
                "Something went wrong; the error was logged.".to_owned(),
            )
        }
    };
    html_status(
        status,
        page(
            title,
            Some(v),
            Section::None,
            &format!("<h1>{title}</h1><p>{}</p>", esc(&text)),
        ),
    )
}

/// What a failed form action tells the person, without server internals.
fn action_message(e: &ApiError) -> String {
    match e {
        ApiError::Validation(m) | ApiError::Conflict(m) => m.clone(),
        ApiError::NotFound => "That case is not in your clinic.".to_owned(),
        ApiError::Forbidden | ApiError::Unauthorized => "Your role may not do this.".to_owned(),
        ApiError::Unexpected(err) => {
            tracing::error!(error.cause_chain = ?err, error.message = %err, "dashboard action failed");
            "Saving failed on the server; nothing was changed. Try again.".to_owned()
        }
    }
}

/// The opening of a rule's text, short enough to read at a glance: its first sentence, or its
/// first words when that is long, ending with an ellipsis when cut. The caller shows the whole
/// text one click away.
fn short_quote(rule: &str) -> std::borrow::Cow<'_, str> {
    const MAX: usize = 180;
    let sentence_end = rule
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .find(|i| *i >= 40);
    let end = match sentence_end {
        Some(i) if i <= MAX => i,
        _ if rule.len() <= MAX => return rule.into(),
        _ => {
            let boundary = rule
                .char_indices()
                .map(|(i, _)| i)
                .take_while(|i| *i <= MAX)
                .last()
                .unwrap_or(0);
            rule[..boundary]
                .rfind(' ')
                .filter(|i| *i > 0)
                .unwrap_or(boundary)
        }
    };
    if end >= rule.len() {
        return rule.into();
    }
    let cut = rule[..end].trim_end();
    format!("{cut} …").into()
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

const OUTCOMES: &[(&str, &str)] = &[
    ("ELIGIBLE", "Eligible"),
    ("NOT_ELIGIBLE", "Not eligible"),
    ("NEEDS_MORE_INFO", "Needs more information"),
    ("none", "Not evaluated yet"),
];
const REVIEWS: &[(&str, &str)] = &[
    ("none", "Not reviewed"),
    ("approved", "Approved"),
    ("needs_info", "Needs info"),
    ("rejected", "Rejected"),
];

fn label_of(table: &[(&str, &'static str)], word: &str) -> String {
    table
        .iter()
        .find(|(w, _)| *w == word)
        .map_or_else(|| word.to_owned(), |(_, l)| (*l).to_owned())
}

fn outcome_badge(outcome: Option<&str>, provisional: bool) -> String {
    let word = outcome.unwrap_or("none");
    let extra = if provisional { " (provisional)" } else { "" };
    format!(
        "<span class=\"badge badge-{}\">{}{extra}</span>",
        esc(&word.to_lowercase()),
        esc(&label_of(OUTCOMES, word))
    )
}

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
        .map_err(|e| error_page(&v, &ApiError::Unexpected(e.into())))?;
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
    let counts = &data["counts"];
    let count = |group: &str, key: &str| counts[group][key].as_u64().unwrap_or(0);
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
        counts["total"].as_u64().unwrap_or(0),
        count("by_outcome", "ELIGIBLE"),
        count("by_outcome", "NEEDS_MORE_INFO"),
        count("by_outcome", "NOT_ELIGIBLE"),
        counts["with_open_conflicts"].as_u64().unwrap_or(0),
        count("by_review_state", "none"),
        counts["open_duplicates"].as_u64().unwrap_or(0),
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
    let cases = data["cases"].as_array().cloned().unwrap_or_default();
    let total = data["total"].as_u64().unwrap_or(0);
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
    for c in &cases {
        let name = c["legal_name"]
            .as_str()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or("(no name yet)");
        let conflicts = c["open_conflicts"].as_u64().unwrap_or(0);
        let _ = write!(
            main,
            "<tr><th scope=\"row\"><a href=\"/cases/{id}\">{name}</a></th><td>{dob}</td><td>{outcome}</td>\
             <td>{conflicts}</td><td>{review}</td><td>{volunteer}</td><td>{updated}</td></tr>",
            id = esc(s(c, "document_id")),
            name = esc(name),
            dob = esc(s(c, "date_of_birth")),
            outcome = outcome_badge(
                c["outcome"].as_str(),
                c["provisional"].as_bool().unwrap_or(false)
            ),
            conflicts = if conflicts > 0 {
                format!("<strong>{conflicts} open</strong>")
            } else {
                "None".to_owned()
            },
            review = esc(&label_of(REVIEWS, s(c, "review_state"))),
            volunteer = esc(s(c, "volunteer_email")),
            updated = esc(&s(c, "updated_at").replace('T', " ")),
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
    match crate::routes::cases::export_csv(&state, &v.who, query.filters()).await {
        Ok(r) => r,
        Err(e) => error_page(&v, &e),
    }
}

/// Names for the users and devices that appear in a case's history and conflicts.
struct Names {
    users: HashMap<String, String>,
    devices: HashMap<String, String>,
}

impl Names {
    async fn of<S: AppStore>(state: &AppState<S>, v: &Viewer) -> Result<Self, ApiError> {
        let store = &state.store;
        let users = store
            .clinic_users(&v.who.clinic_id)
            .await
            .map_err(|e| ApiError::Unexpected(e.into()))?;
        let devices = store
            .clinic_devices(&v.who.clinic_id)
            .await
            .map_err(|e| ApiError::Unexpected(e.into()))?;
        let emails: HashMap<String, String> = users
            .iter()
            .map(|u| (u.id.to_string(), u.email.clone()))
            .collect();
        let devices = devices
            .iter()
            .map(|d| {
                let owner = emails
                    .get(&d.user_id.to_string())
                    .cloned()
                    .unwrap_or_default();
                (d.id.to_string(), format!("{} ({owner})", d.name))
            })
            .collect();
        Ok(Self {
            users: emails,
            devices,
        })
    }

    fn author(&self, author: &Value) -> String {
        match s(author, "kind") {
            "device" => format!(
                "device {}",
                self.devices
                    .get(s(author, "device_id"))
                    .map_or("(unknown)", String::as_str)
            ),
            "user" => self
                .users
                .get(s(author, "user_id"))
                .cloned()
                .unwrap_or_else(|| "a user".to_owned()),
            _ => "the server".to_owned(),
        }
    }
}

/// `GET /cases/{id}` query: what the last action did.
#[derive(Debug, Deserialize)]
pub struct CaseQuery {
    done: Option<String>,
    error: Option<String>,
    /// The server's signature of `error` (see [`super::notice`]).
    sig: Option<String>,
}

/// `GET /cases/{id}`: one case.
pub async fn case_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    query: web::Query<CaseQuery>,
) -> HttpResponse {
    render_case(&state, &req, &path, &query)
        .await
        .unwrap_or_else(|r| r)
}

const PERSON_FIELDS: &[(&str, &str)] = &[
    ("legal_name", "Legal name"),
    ("other_names", "Other names"),
    ("date_of_birth", "Date of birth"),
    ("place_of_birth", "Place of birth"),
    ("address", "Mailing address"),
    ("email", "Email"),
    ("phone", "Phone"),
    ("status_now", "Citizenship status now"),
    (
        "citizen_or_lpr_since",
        "Citizen or permanent resident since",
    ),
    ("status_at_offense", "Status at the time of the offenses"),
    ("a_number", "A-number"),
];

fn json_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(json_text).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

#[expect(clippy::too_many_lines, reason = "one page, section by section")]
async fn render_case<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
    raw: &str,
    query: &CaseQuery,
) -> Rendered {
    let v = reviewer_viewer(state, req).await?;
    let doc = clinic_intake(&state.store, &v.who, raw)
        .await
        .map_err(|e| error_page(&v, &e))?;
    let data = case_view(state, &v.who, doc)
        .await
        .map_err(|e| error_page(&v, &e))?;
    let names = Names::of(state, &v).await.map_err(|e| error_page(&v, &e))?;
    let intake = &data["intake"];
    let person = &intake["person"];
    let name = person["legal_name"]
        .as_str()
        .filter(|n| !n.trim().is_empty())
        .unwrap_or("(no name yet)");
    let id = doc.to_string();
    let mut main = format!("<div data-live=\"{}\"><h1>{}</h1>", esc(&id), esc(name));
    let error = super::notice::verified("error", query.error.as_deref(), query.sig.as_deref());
    match (query.done.as_deref(), error) {
        (_, Some(e)) => main.push_str(&notice("error", e)),
        (Some("review"), _) => main.push_str(&notice(
            "ok",
            "Review recorded. It reaches the volunteer's device at its next sync.",
        )),
        (Some("resolved"), _) => main.push_str(&notice(
            "ok",
            "Conflict resolved. The eligibility result was checked again.",
        )),
        (Some("linked"), _) => main.push_str(&notice(
            "ok",
            "Linked as the same person. Both intakes keep their records.",
        )),
        (Some("dismissed"), _) => main.push_str(&notice("ok", "Marked as different people.")),
        _ => {}
    }

    // Eligibility, in plain language.
    let det = &data["determination"];
    main.push_str("<section aria-labelledby=\"elig-h\"><h2 id=\"elig-h\">Eligibility</h2>");
    if det.is_null() {
        main.push_str(
            "<p>Not evaluated yet: the server evaluates an intake when a device syncs it.</p>",
        );
    } else {
        let outcome = s(det, "outcome");
        let procs: Vec<String> = det["proclamations"]
            .as_array()
            .map(|a| a.iter().map(json_text).collect())
            .unwrap_or_default();
        let certificate_doubtful = det["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|r| s(r, "code") == "NO_COURT_CASE_FOR_CERTIFICATE");
        let sentence = match outcome {
            // The pardon needs no application, but a certificate proves it; a record with no
            // court case may not get one, so the result must not read as certificate-ready.
            "ELIGIBLE" if certificate_doubtful => format!(
                "Pardoned under Proclamation {}, but a certificate of pardon may be hard to get: see why below.",
                procs.join(" and ")
            ),
            "ELIGIBLE" => format!("Eligible for a certificate of pardon under Proclamation {}.", procs.join(" and ")),
            "NOT_ELIGIBLE" => "Not eligible: no offense on this record is covered by the proclamations.".to_owned(),
            _ => "More information is needed before eligibility can be decided. The questions below say what to ask.".to_owned(),
        };
        let _ = write!(
            main,
            "<p class=\"outcome\">{} {}</p>",
            outcome_badge(Some(outcome), det["provisional"].as_bool().unwrap_or(false)),
            esc(&sentence)
        );
        if det["provisional"].as_bool().unwrap_or(false) {
            let fields: Vec<String> = det["open_conflicts"]
                .as_array()
                .map(|a| a.iter().map(json_text).collect())
                .unwrap_or_default();
            main.push_str(&notice("warning", &format!("Provisional: devices wrote different values for {}. Resolve the conflicts below.", fields.join(", "))));
        }
        main.push_str("<h3>Why</h3><ul class=\"reasons\">");
        for r in det["reasons"].as_array().into_iter().flatten() {
            let rule = s(r, "rule_text");
            let short = short_quote(rule);
            let _ = write!(
                main,
                "<li><p><strong>{}</strong></p>{}{}</li>",
                esc(s(r, "explanation")),
                r["question"]
                    .as_str()
                    .map(|q| format!("<p>Ask: {}</p>", esc(q)))
                    .unwrap_or_default(),
                if rule.is_empty() {
                    String::new()
                } else if short.len() == rule.len() {
                    format!("<blockquote class=\"rule\">{}</blockquote>", esc(rule))
                } else {
                    format!(
                        "<blockquote class=\"rule\">{}</blockquote><details><summary>Full rule text</summary><blockquote>{}</blockquote></details>",
                        esc(&short),
                        esc(rule)
                    )
                },
            );
        }
        main.push_str("</ul>");
        let _ = write!(
            main,
            "<p class=\"small\">Rules {} · evaluated {}</p>",
            esc(s(det, "rules_version")),
            esc(&s(det, "evaluated_at").replace('T', " "))
        );
    }
    main.push_str("</section>");

    // Conflicts.
    let conflicts = data["conflicts"].as_array().cloned().unwrap_or_default();
    let _ = write!(
        main,
        "<section aria-labelledby=\"conf-h\"><h2 id=\"conf-h\">Conflicts ({})</h2>",
        conflicts.len()
    );
    if conflicts.is_empty() {
        main.push_str("<p>No open conflicts.</p>");
    }
    for (n, c) in conflicts.iter().enumerate() {
        let values = c["values"].as_array().cloned().unwrap_or_default();
        let seen: Vec<&str> = values.iter().map(|x| s(x, "id")).collect();
        let _ = write!(
            main,
            "<form method=\"post\" action=\"/cases/{id}/resolve\" class=\"conflict\">{csrf}\
             <input type=\"hidden\" name=\"path\" value=\"{path}\"><input type=\"hidden\" name=\"seen\" value=\"{seen}\">\
             <fieldset><legend>Which value is right for <code>{path}</code>?</legend>",
            id = esc(&id),
            csrf = v.csrf_field(),
            path = esc(s(c, "path")),
            seen = esc(&seen.join(",")),
        );
        for (i, value) in values.iter().enumerate() {
            let made = value["accepted_at"]
                .as_str()
                .or(value["made_at"].as_str())
                .unwrap_or_default();
            let _ = write!(
                main,
                "<div class=\"choice\"><input type=\"radio\" id=\"c{n}-{i}\" name=\"choice\" value=\"value:{vid}\" required>\
                 <label for=\"c{n}-{i}\"><strong>{value}</strong> — written by {author}{made}</label></div>",
                vid = esc(s(value, "id")),
                value = esc(&json_text(&value["value"])),
                author = esc(&names.author(&value["author"])),
                made = if made.is_empty() {
                    String::new()
                } else {
                    format!(", {}", esc(&made.replace('T', " ")))
                },
            );
        }
        let _ = write!(
            main,
            "<div class=\"choice\"><input type=\"radio\" id=\"c{n}-other\" name=\"choice\" value=\"entered\">\
             <label for=\"c{n}-other\">Another value:</label> <label class=\"visually-hidden\" for=\"c{n}-text\">Value to enter for {path}</label>\
             <input id=\"c{n}-text\" name=\"entered\" type=\"text\"></div></fieldset>\
             <button type=\"submit\">Resolve</button></form>",
            path = esc(s(c, "path")),
        );
    }
    main.push_str("</section>");

    // Person and offenses.
    main.push_str("<section aria-labelledby=\"person-h\"><h2 id=\"person-h\">Person</h2><dl class=\"fields\">");
    for (key, label) in PERSON_FIELDS {
        let value = json_text(&person[*key]);
        let _ = write!(
            main,
            "<dt>{label}</dt><dd>{}</dd>",
            if value.is_empty() {
                "<span class=\"missing\">not recorded</span>".to_owned()
            } else {
                esc(&value)
            }
        );
    }
    main.push_str("</dl></section>");
    let offenses = intake["offenses"].as_array().cloned().unwrap_or_default();
    let results = det["offenses"].as_array().cloned().unwrap_or_default();
    let _ = write!(
        main,
        "<section aria-labelledby=\"off-h\"><h2 id=\"off-h\">Offenses ({})</h2><div class=\"table-wrap\"><table><caption class=\"visually-hidden\">Offenses on the record</caption>\
         <thead><tr><th scope=\"col\">Citation</th><th scope=\"col\">Conduct</th><th scope=\"col\">Substance</th><th scope=\"col\">Offense date</th>\
         <th scope=\"col\">Disposition</th><th scope=\"col\">Date</th><th scope=\"col\">Court</th><th scope=\"col\">Docket</th><th scope=\"col\">Result</th></tr></thead><tbody>",
        offenses.len()
    );
    for (i, o) in offenses.iter().enumerate() {
        let result = results
            .iter()
            .find(|r| r["index"].as_u64() == Some(i as u64));
        let _ = write!(
            main,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            esc(s(o, "citation")),
            esc(s(o, "conduct")),
            esc(s(o, "substance")),
            esc(s(o, "offense_date")),
            esc(s(o, "disposition")),
            esc(s(o, "disposition_date")),
            esc(s(o, "jurisdiction")),
            esc(s(o, "court_name")),
            esc(s(o, "docket_number")),
            result
                .map(|r| outcome_badge(r["outcome"].as_str(), false))
                .unwrap_or_default(),
        );
    }
    main.push_str("</tbody></table></div></section>");

    // Certificate checklist.
    main.push_str(
        "<section aria-labelledby=\"check-h\"><h2 id=\"check-h\">Certificate checklist</h2>",
    );
    let missing = det["missing_items"].as_array().cloned().unwrap_or_default();
    if missing.is_empty() {
        main.push_str("<p>Nothing missing.</p>");
    } else {
        main.push_str("<p>Still missing:</p><ul>");
        for m in &missing {
            let _ = write!(
                main,
                "<li>{}{}</li>",
                esc(s(m, "label")),
                if m["required"].as_bool().unwrap_or(false) {
                    " <strong>(required)</strong>"
                } else {
                    " (if possible)"
                }
            );
        }
        main.push_str("</ul>");
    }
    if s(det, "outcome") == "ELIGIBLE" {
        let _ = write!(
            main,
            "<p><a href=\"/cases/{}/packet\">Open the certificate application packet (printable)</a></p>",
            esc(&id)
        );
    }
    main.push_str("</section>");

    // Duplicate candidates.
    let dups = data["duplicates"].as_array().cloned().unwrap_or_default();
    main.push_str("<section aria-labelledby=\"dup-h\"><h2 id=\"dup-h\">Possible duplicates</h2>");
    if dups.is_empty() {
        main.push_str("<p>No other intake looks like the same person.</p>");
    }
    for d in &dups {
        let other = s(d, "other_document_id");
        let reasons: Vec<String> = d["reasons"]
            .as_array()
            .map(|a| a.iter().map(|r| json_text(r).replace('_', " ")).collect())
            .unwrap_or_default();
        let _ = write!(
            main,
            "<div class=\"dup\"><p><a href=\"/cases/{o}\">Intake {short}</a> — score {score:.2} ({reasons}); {status}</p>",
            o = esc(other),
            short = esc(&other.chars().take(8).collect::<String>()),
            score = d["score"].as_f64().unwrap_or(0.0),
            reasons = esc(&reasons.join(", ")),
            status = esc(s(d, "status")),
        );
        if s(d, "status") == "open" {
            for (decision, label) in [
                ("linked", "Same person: link"),
                ("dismissed", "Different people"),
            ] {
                let _ = write!(
                    main,
                    "<form method=\"post\" action=\"/duplicates/decision\" class=\"inline\">{}\
                     <input type=\"hidden\" name=\"a\" value=\"{}\"><input type=\"hidden\" name=\"b\" value=\"{}\">\
                     <input type=\"hidden\" name=\"decision\" value=\"{decision}\"><input type=\"hidden\" name=\"back\" value=\"/cases/{}\">\
                     <button type=\"submit\">{label}</button></form> ",
                    v.csrf_field(),
                    esc(&id),
                    esc(other),
                    esc(&id)
                );
            }
        }
        main.push_str("</div>");
    }
    let links = intake["server"]["same_person"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for l in &links {
        let _ = write!(
            main,
            "<p>Linked as the same person: <code>{}</code> by {}.</p>",
            esc(s(l, "document_url")),
            esc(s(l, "linked_by"))
        );
    }
    main.push_str("</section>");

    // Review.
    main.push_str("<section aria-labelledby=\"rev-h\"><h2 id=\"rev-h\">Review</h2>");
    let review = &data["review"];
    if review.is_null() {
        main.push_str("<p>Not reviewed yet.</p>");
    } else {
        let _ = write!(
            main,
            "<p>Current decision: <strong>{}</strong> by {} on {}.{}</p>",
            esc(&label_of(REVIEWS, s(review, "decision"))),
            esc(s(review, "reviewer")),
            esc(&s(review, "reviewed_at").replace('T', " ")),
            review["message"]
                .as_str()
                .map(|m| format!(" Message: “{}”", esc(m)))
                .unwrap_or_default(),
        );
    }
    let _ = write!(
        main,
        "<form method=\"post\" action=\"/cases/{id}/review\" class=\"stack\">{csrf}<fieldset><legend>Decision</legend>\
         <div class=\"choice\"><input type=\"radio\" id=\"d-approved\" name=\"decision\" value=\"approved\" required><label for=\"d-approved\">Approve</label></div>\
         <div class=\"choice\"><input type=\"radio\" id=\"d-needs_info\" name=\"decision\" value=\"needs_info\"><label for=\"d-needs_info\">Needs info (tell the volunteer what to collect)</label></div>\
         <div class=\"choice\"><input type=\"radio\" id=\"d-rejected\" name=\"decision\" value=\"rejected\"><label for=\"d-rejected\">Reject</label></div></fieldset>\
         <label for=\"message\">Message to the volunteer</label><textarea id=\"message\" name=\"message\" rows=\"3\" maxlength=\"4000\"></textarea>\
         <label for=\"fields\">Fields the message is about (optional, separated by commas)</label><input id=\"fields\" name=\"fields\" type=\"text\">\
         <button type=\"submit\">Record review</button></form></section>",
        id = esc(&id),
        csrf = v.csrf_field(),
    );

    // History.
    let history = data["history"].as_array().cloned().unwrap_or_default();
    let _ = write!(
        main,
        "<section aria-labelledby=\"hist-h\"><h2 id=\"hist-h\">History ({} changes)</h2><div class=\"table-wrap\"><table>\
         <caption class=\"visually-hidden\">Every change, oldest first</caption><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th>\
         <th scope=\"col\">What</th><th scope=\"col\">Operations</th></tr></thead><tbody>",
        history.len()
    );
    for h in &history {
        let at = h["accepted_at"]
            .as_str()
            .or(h["made_at"].as_str())
            .unwrap_or_default();
        let _ = write!(
            main,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&at.replace('T', " ")),
            esc(&names.author(&h["author"])),
            esc(h["message"].as_str().unwrap_or("edit")),
            h["operations"].as_u64().unwrap_or(0),
        );
    }
    main.push_str("</tbody></table></div></section></div>");
    Ok(html(page(name, Some(&v), Section::Cases, &main)))
}

/// `GET /cases/{id}/packet`: the printable certificate application packet.
pub async fn packet_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
) -> HttpResponse {
    let v = match reviewer_viewer(&state, &req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match crate::routes::cases::packet_for(&state, &v.who, &path).await {
        Ok(p) => html(packet::render_html_linked(&p, "/assets/packet.css")),
        Err(e) => error_page(&v, &e),
    }
}

/// `POST /cases/{id}/review` form.
#[derive(Debug, Deserialize)]
pub struct ReviewForm {
    csrf: String,
    decision: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: String,
}

/// The viewer of a posted form, if they may review and the form carries their CSRF token.
async fn reviewer_form<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
    csrf: &str,
) -> Result<Viewer, HttpResponse> {
    let v = reviewer_viewer(state, req).await?;
    if csrf_ok(&v, csrf) {
        Ok(v)
    } else {
        Err(csrf_failed(&v))
    }
}

/// Like [`reviewer_form`], for a form about the case at `raw` (an intake of their clinic).
async fn case_form<S: AppStore>(
    state: &AppState<S>,
    req: &HttpRequest,
    raw: &str,
    csrf: &str,
) -> Result<(Viewer, fieldclinic_schema::DocumentId), HttpResponse> {
    let v = reviewer_form(state, req, csrf).await?;
    match clinic_intake(&state.store, &v.who, raw).await {
        Ok(doc) => Ok((v, doc)),
        Err(e) => Err(error_page(&v, &e)),
    }
}

fn back_to(id: &str, outcome: Result<&str, String>) -> HttpResponse {
    match outcome {
        Ok(done) => see_other(&format!("/cases/{}?done={done}", url_value(id))),
        Err(e) => see_other(&format!(
            "/cases/{}?{}",
            url_value(id),
            super::notice::signed("error", &e)
        )),
    }
}

/// `POST /cases/{id}/review`.
pub async fn post_review<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    form: web::Form<ReviewForm>,
) -> HttpResponse {
    let (v, doc) = match case_form(&state, &req, &path, &form.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = form.into_inner();
    let request = ReviewRequest {
        decision: form.decision,
        message: Some(form.message),
        fields: form
            .fields
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    let result = submit_review(&state, &v.who, doc, request).await;
    back_to(
        &path,
        result.map(|_| "review").map_err(|e| action_message(&e)),
    )
}

/// `POST /cases/{id}/resolve` form.
#[derive(Debug, Deserialize)]
pub struct ResolveForm {
    csrf: String,
    path: String,
    #[serde(default)]
    choice: String,
    #[serde(default)]
    entered: String,
    #[serde(default)]
    seen: String,
}

/// `POST /cases/{id}/resolve`.
pub async fn post_resolve<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    path: web::Path<String>,
    form: web::Form<ResolveForm>,
) -> HttpResponse {
    let (v, doc) = match case_form(&state, &req, &path, &form.csrf).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let form = form.into_inner();
    let (value_id, value) = if let Some(id) = form.choice.strip_prefix("value:") {
        (Some(id.to_owned()), None)
    } else if form.choice == "entered" && !form.entered.trim().is_empty() {
        let text = form.entered.trim().to_owned();
        // `other_names` is a list: the form takes it separated by semicolons.
        let value = if form.path == "person.other_names" {
            Value::from(
                text.split(';')
                    .map(|n| n.trim().to_owned())
                    .filter(|n| !n.is_empty())
                    .collect::<Vec<_>>(),
            )
        } else {
            Value::from(text)
        };
        (None, Some(value))
    } else {
        return back_to(
            &path,
            Err("Choose one of the values, or choose “Another value” and type it.".to_owned()),
        );
    };
    let request = ResolveRequest {
        path: form.path,
        value_id,
        value,
        seen_value_ids: Some(
            form.seen
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        ),
    };
    let result = resolve(&state, &v.who, doc, request).await;
    back_to(
        &path,
        result.map(|_| "resolved").map_err(|e| action_message(&e)),
    )
}

/// `GET /duplicates`: open duplicate candidates with both cases.
pub async fn duplicates_page<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
) -> HttpResponse {
    let v = match reviewer_viewer(&state, &req).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let data = match duplicate_list(
        &state,
        &v.who,
        &DuplicateFilters {
            status: None,
            limit: Some(200),
        },
    )
    .await
    {
        Ok(d) => d,
        Err(e) => return error_page(&v, &e),
    };
    let items = data["duplicates"].as_array().cloned().unwrap_or_default();
    let mut main = format!(
        "<div data-live=\"\"><h1>Duplicate people</h1><p>{} pair{} awaiting a decision. Linking never merges or deletes an intake.</p>",
        items.len(),
        if items.len() == 1 { "" } else { "s" }
    );
    if !items.is_empty() {
        main.push_str("<div class=\"table-wrap\"><table><caption class=\"visually-hidden\">Possible duplicates</caption><thead><tr>\
            <th scope=\"col\">First intake</th><th scope=\"col\">Second intake</th><th scope=\"col\">Score</th><th scope=\"col\">Why</th><th scope=\"col\">Decision</th></tr></thead><tbody>");
    }
    for d in &items {
        let cell = |c: &Value| {
            format!(
                "<a href=\"/cases/{}\">{}</a><br><span class=\"small\">born {} · {}</span>",
                esc(s(c, "document_id")),
                esc(c["legal_name"].as_str().unwrap_or("(no name)")),
                esc(c["date_of_birth"].as_str().unwrap_or("?")),
                esc(s(c, "volunteer_email")),
            )
        };
        let reasons: Vec<String> = d["reasons"]
            .as_array()
            .map(|a| a.iter().map(|r| json_text(r).replace('_', " ")).collect())
            .unwrap_or_default();
        let (a, b) = (
            d["documents"][0].as_str().unwrap_or_default(),
            d["documents"][1].as_str().unwrap_or_default(),
        );
        let mut forms = String::new();
        for (decision, label) in [("linked", "Same person"), ("dismissed", "Different people")] {
            let _ = write!(
                forms,
                "<form method=\"post\" action=\"/duplicates/decision\" class=\"inline\">{}<input type=\"hidden\" name=\"a\" value=\"{}\">\
                 <input type=\"hidden\" name=\"b\" value=\"{}\"><input type=\"hidden\" name=\"decision\" value=\"{decision}\">\
                 <input type=\"hidden\" name=\"back\" value=\"/duplicates\"><button type=\"submit\">{label}</button></form> ",
                v.csrf_field(),
                esc(a),
                esc(b)
            );
        }
        let _ = write!(
            main,
            "<tr><td>{}</td><td>{}</td><td>{:.2}</td><td>{}</td><td>{forms}</td></tr>",
            cell(&d["cases"][0]),
            cell(&d["cases"][1]),
            d["score"].as_f64().unwrap_or(0.0),
            esc(&reasons.join(", ")),
        );
    }
    if !items.is_empty() {
        main.push_str("</tbody></table></div>");
    }
    main.push_str("</div>");
    html(page(
        "Duplicate people",
        Some(&v),
        Section::Duplicates,
        &main,
    ))
}

/// `POST /duplicates/decision` form.
#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    a: String,
    b: String,
    decision: String,
    back: Option<String>,
}

/// `POST /duplicates/decision`.
pub async fn post_decision<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
    form: web::Form<DecisionForm>,
) -> HttpResponse {
    let v = match reviewer_form(&state, &req, &form.csrf).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let form = form.into_inner();
    let body = DuplicateDecision {
        documents: [form.a.clone(), form.b],
        decision: form.decision.clone(),
    };
    let result = decide_pair(&state, &v.who, &body).await;
    let back = form
        .back
        .filter(|b| super::session::is_local_path(b))
        .unwrap_or_else(|| "/duplicates".to_owned());
    let sep = if back.contains('?') { '&' } else { '?' };
    match result {
        Ok(_) => see_other(&format!("{back}{sep}done={}", url_value(&form.decision))),
        Err(e) => see_other(&format!(
            "{back}{sep}{}",
            super::notice::signed("error", &action_message(&e))
        )),
    }
}

/// `GET /`: the caseload for reviewers, the admin pages for others who may see them.
pub async fn home<S: AppStore>(req: HttpRequest, state: web::Data<AppState<S>>) -> HttpResponse {
    match viewer(&state.store, &req).await {
        Ok(v) if v.who.sees_whole_clinic() => see_other("/cases"),
        Ok(v) => html_status(
            StatusCode::FORBIDDEN,
            page(
                "Not available",
                Some(&v),
                Section::None,
                "<h1>Not available to volunteers</h1><p>Record and update intakes in the intake app on your device.</p>",
            ),
        ),
        Err(e) => e.response(&req),
    }
}

#[cfg(test)]
mod tests {
    use super::short_quote;

    #[test]
    fn rule_quotes_are_cut_at_a_sentence_or_a_word_never_inside_a_character() {
        let short = "Proclamation 10467 pardons simple possession.";
        assert_eq!(short_quote(short), short);
        let two = format!(
            "{short} It does not pardon any other offense, whether committed prior, subsequent, or contemporaneous to the pardoned offense."
        );
        assert_eq!(short_quote(&two), format!("{short} …"));
        let long = "word ".repeat(60);
        let cut = short_quote(&long);
        assert!(cut.len() < long.len() && cut.ends_with(" …"), "{cut}");
        let unspaced = "§".repeat(200);
        let cut = short_quote(&unspaced);
        assert!(cut.ends_with(" …") && cut.chars().count() < 200);
    }
}
