//! The case page: eligibility in plain language with the rules quoted, open conflicts with
//! who wrote each value, the person and offenses, the certificate checklist, duplicate
//! candidates, the review form and the history.

use std::collections::HashMap;
use std::fmt::Write as _;

use actix_web::{HttpRequest, HttpResponse, web};
use fieldclinic_domain::{DeviceId, UserId};
use fieldclinic_review::history::{Author, HistoryEntry};
use fieldclinic_schema::{Determination, Intake, Person, Review};
use fieldclinic_stores::cases::DuplicateStatus;
use serde::Deserialize;
use serde_json::Value;

use super::html::{Section, Viewer, esc, html, notice, page};
use super::supervisor::{REVIEWS, Rendered, error_page, label_of, outcome_badge, reviewer_viewer};
use crate::error::ApiError;
use crate::review::{ConflictView, DuplicateView, case_view, clinic_intake};
use crate::state::{AppState, AppStore};

/// Names for the users and devices that appear in a case's history and conflicts.
struct Names {
    users: HashMap<UserId, String>,
    devices: HashMap<DeviceId, String>,
}

impl Names {
    async fn of<S: AppStore>(state: &AppState<S>, v: &Viewer) -> Result<Self, ApiError> {
        let store = &state.store;
        let users = store.clinic_users(&v.who.clinic_id).await?;
        let devices = store.clinic_devices(&v.who.clinic_id).await?;
        let emails: HashMap<UserId, String> = users.into_iter().map(|u| (u.id, u.email)).collect();
        let devices = devices
            .iter()
            .map(|d| {
                let owner = emails.get(&d.user_id).cloned().unwrap_or_default();
                (d.id, format!("{} ({owner})", d.name))
            })
            .collect();
        Ok(Self {
            users: emails,
            devices,
        })
    }

    fn author(&self, author: &Author) -> String {
        match author {
            Author::Device { device_id, .. } => format!(
                "device {}",
                self.devices
                    .get(device_id)
                    .map_or("(unknown)", String::as_str)
            ),
            Author::User { user_id } => self
                .users
                .get(user_id)
                .cloned()
                .unwrap_or_else(|| "a user".to_owned()),
            Author::Server => "the server".to_owned(),
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

/// The person's fields the page lists, each with its label and its value as text (empty when
/// not recorded).
fn person_fields(p: &Person) -> [(&'static str, String); 11] {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        ("Legal name", text(&p.legal_name)),
        ("Other names", p.other_names.join("; ")),
        ("Date of birth", text(&p.date_of_birth)),
        ("Place of birth", text(&p.place_of_birth)),
        ("Mailing address", text(&p.address)),
        ("Email", text(&p.email)),
        ("Phone", text(&p.phone)),
        ("Citizenship status now", text(&p.status_now)),
        (
            "Citizen or permanent resident since",
            text(&p.citizen_or_lpr_since),
        ),
        (
            "Status at the time of the offenses",
            text(&p.status_at_offense),
        ),
        ("A-number", text(&p.a_number)),
    ]
}

/// A conflict's value as text: a device may have written any JSON there, so a list reads as
/// its items and anything else as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(value_text).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

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
    let name = data
        .intake
        .person
        .legal_name
        .as_deref()
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

    let determination = data.determination.as_ref();
    eligibility_section(&mut main, determination);
    conflicts_section(&mut main, &v, &id, &data.conflicts, &names);
    person_section(&mut main, &data.intake, determination);
    checklist_section(&mut main, &id, determination);
    duplicates_section(&mut main, &v, &id, &data.duplicates, &data.intake);
    review_section(&mut main, &v, &id, data.review.as_ref());
    history_section(&mut main, &data.history, &names);
    main.push_str("</div>");
    Ok(html(page(name, Some(&v), Section::Cases, &main)))
}

/// The determination in plain language, with each reason and the rule it quotes.
fn eligibility_section(main: &mut String, determination: Option<&Determination>) {
    main.push_str("<section aria-labelledby=\"elig-h\"><h2 id=\"elig-h\">Eligibility</h2>");
    if let Some(det) = determination {
        let outcome = det.outcome.as_str();
        let procs = &det.proclamations;
        let certificate_doubtful = det
            .reasons
            .iter()
            .any(|r| r.code == "NO_COURT_CASE_FOR_CERTIFICATE");
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
            outcome_badge(Some(outcome), det.provisional),
            esc(&sentence)
        );
        if det.provisional {
            let fields = &det.open_conflicts;
            main.push_str(&notice("warning", &format!("Provisional: devices wrote different values for {}. Resolve the conflicts below.", fields.join(", "))));
        }
        main.push_str("<h3>Why</h3><ul class=\"reasons\">");
        for r in &det.reasons {
            let rule = r.rule_text.as_str();
            let short = short_quote(rule);
            let _ = write!(
                main,
                "<li><p><strong>{}</strong></p>{}{}</li>",
                esc(&r.explanation),
                r.question
                    .as_deref()
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
            esc(&det.rules_version),
            esc(&det.evaluated_at.replace('T', " "))
        );
    } else {
        main.push_str(
            "<p>Not evaluated yet: the server evaluates an intake when a device syncs it.</p>",
        );
    }
    main.push_str("</section>");
}

/// Each open conflict as a form choosing one of its values or entering another.
fn conflicts_section(
    main: &mut String,
    v: &Viewer,
    id: &str,
    conflicts: &[ConflictView],
    names: &Names,
) {
    let _ = write!(
        main,
        "<section aria-labelledby=\"conf-h\"><h2 id=\"conf-h\">Conflicts ({})</h2>",
        conflicts.len()
    );
    if conflicts.is_empty() {
        main.push_str("<p>No open conflicts.</p>");
    }
    for (n, c) in conflicts.iter().enumerate() {
        let values = &c.values;
        let seen: Vec<&str> = values.iter().map(|x| x.id.as_str()).collect();
        let _ = write!(
            main,
            "<form method=\"post\" action=\"/cases/{id}/resolve\" class=\"conflict\">{csrf}\
             <input type=\"hidden\" name=\"path\" value=\"{path}\"><input type=\"hidden\" name=\"seen\" value=\"{seen}\">\
             <fieldset><legend>Which value is right for <code>{path}</code>?</legend>",
            id = esc(id),
            csrf = v.csrf_field(),
            path = esc(&c.path),
            seen = esc(&seen.join(",")),
        );
        for (i, value) in values.iter().enumerate() {
            let made = value
                .accepted_at
                .as_deref()
                .or(value.made_at.as_deref())
                .unwrap_or_default();
            let _ = write!(
                main,
                "<div class=\"choice\"><input type=\"radio\" id=\"c{n}-{i}\" name=\"choice\" value=\"value:{vid}\" required>\
                 <label for=\"c{n}-{i}\"><strong>{value}</strong> — written by {author}{made}</label></div>",
                vid = esc(&value.id),
                value = esc(&value_text(&value.value)),
                author = esc(&names.author(&value.author)),
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
            path = esc(&c.path),
        );
    }
    main.push_str("</section>");
}

/// The person's fields and the offenses with each one's result.
fn person_section(main: &mut String, intake: &Intake, determination: Option<&Determination>) {
    let person = &intake.person;
    main.push_str("<section aria-labelledby=\"person-h\"><h2 id=\"person-h\">Person</h2><dl class=\"fields\">");
    for (label, value) in person_fields(person) {
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
    let offenses = &intake.offenses;
    let results = determination.map_or(&[][..], |d| d.offenses.as_slice());
    let _ = write!(
        main,
        "<section aria-labelledby=\"off-h\"><h2 id=\"off-h\">Offenses ({})</h2><div class=\"table-wrap\"><table><caption class=\"visually-hidden\">Offenses on the record</caption>\
         <thead><tr><th scope=\"col\">Citation</th><th scope=\"col\">Conduct</th><th scope=\"col\">Substance</th><th scope=\"col\">Offense date</th>\
         <th scope=\"col\">Disposition</th><th scope=\"col\">Date</th><th scope=\"col\">Court</th><th scope=\"col\">Docket</th><th scope=\"col\">Result</th></tr></thead><tbody>",
        offenses.len()
    );
    let text = |v: &Option<String>| esc(v.as_deref().unwrap_or_default());
    for (i, o) in offenses.iter().enumerate() {
        let result = results.iter().find(|r| r.index == i as u64);
        let _ = write!(
            main,
            "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{} {}</td><td>{}</td><td>{}</td></tr>",
            text(&o.citation),
            text(&o.conduct),
            text(&o.substance),
            text(&o.offense_date),
            text(&o.disposition),
            text(&o.disposition_date),
            text(&o.jurisdiction),
            text(&o.court_name),
            text(&o.docket_number),
            result
                .map(|r| outcome_badge(Some(&r.outcome), false))
                .unwrap_or_default(),
        );
    }
    main.push_str("</tbody></table></div></section>");
}

/// What the certificate application still lacks, and the packet once the case is eligible.
fn checklist_section(main: &mut String, id: &str, determination: Option<&Determination>) {
    main.push_str(
        "<section aria-labelledby=\"check-h\"><h2 id=\"check-h\">Certificate checklist</h2>",
    );
    let missing = determination.map_or(&[][..], |d| d.missing_items.as_slice());
    if missing.is_empty() {
        main.push_str("<p>Nothing missing.</p>");
    } else {
        main.push_str("<p>Still missing:</p><ul>");
        for m in missing {
            let _ = write!(
                main,
                "<li>{}{}</li>",
                esc(&m.label),
                if m.required {
                    " <strong>(required)</strong>"
                } else {
                    " (if possible)"
                }
            );
        }
        main.push_str("</ul>");
    }
    if determination.is_some_and(|d| d.outcome == "ELIGIBLE") {
        let _ = write!(
            main,
            "<p><a href=\"/cases/{}/packet\">Open the certificate application packet (printable)</a></p>",
            esc(id)
        );
    }
    main.push_str("</section>");
}

/// Other intakes that may be the same person, with the link and dismiss forms, and the links
/// already made.
fn duplicates_section(
    main: &mut String,
    v: &Viewer,
    id: &str,
    dups: &[DuplicateView],
    intake: &Intake,
) {
    main.push_str("<section aria-labelledby=\"dup-h\"><h2 id=\"dup-h\">Possible duplicates</h2>");
    if dups.is_empty() {
        main.push_str("<p>No other intake looks like the same person.</p>");
    }
    for d in dups {
        let other = d.other_document_id.to_string();
        let other = other.as_str();
        let reasons: Vec<String> = d.reasons.iter().map(|r| r.replace('_', " ")).collect();
        let _ = write!(
            main,
            "<div class=\"dup\"><p><a href=\"/cases/{o}\">Intake {short}</a> — score {score:.2} ({reasons}); {status}</p>",
            o = esc(other),
            short = esc(&other.chars().take(8).collect::<String>()),
            score = d.score,
            reasons = esc(&reasons.join(", ")),
            status = esc(d.status.as_str()),
        );
        if d.status == DuplicateStatus::Open {
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
                    esc(id),
                    esc(other),
                    esc(id)
                );
            }
        }
        main.push_str("</div>");
    }
    let links = intake
        .server
        .as_ref()
        .map_or(&[][..], |s| s.same_person.as_slice());
    for l in links {
        let _ = write!(
            main,
            "<p>Linked as the same person: <code>{}</code> by {}.</p>",
            esc(&l.document_url),
            esc(l.linked_by.as_deref().unwrap_or_default())
        );
    }
    main.push_str("</section>");
}

/// The current review and the form recording a new one.
fn review_section(main: &mut String, v: &Viewer, id: &str, review: Option<&Review>) {
    main.push_str("<section aria-labelledby=\"rev-h\"><h2 id=\"rev-h\">Review</h2>");
    if let Some(review) = review {
        let _ = write!(
            main,
            "<p>Current decision: <strong>{}</strong> by {} on {}.{}</p>",
            esc(&label_of(REVIEWS, &review.decision)),
            esc(review.reviewer.as_deref().unwrap_or_default()),
            esc(&review.reviewed_at.replace('T', " ")),
            review
                .message
                .as_deref()
                .map(|m| format!(" Message: “{}”", esc(m)))
                .unwrap_or_default(),
        );
    } else {
        main.push_str("<p>Not reviewed yet.</p>");
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
        id = esc(id),
        csrf = v.csrf_field(),
    );
}

/// Every change of the document, oldest first, with who made it.
fn history_section(main: &mut String, history: &[HistoryEntry], names: &Names) {
    let _ = write!(
        main,
        "<section aria-labelledby=\"hist-h\"><h2 id=\"hist-h\">History ({} changes)</h2><div class=\"table-wrap\"><table>\
         <caption class=\"visually-hidden\">Every change, oldest first</caption><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Who</th>\
         <th scope=\"col\">What</th><th scope=\"col\">Operations</th></tr></thead><tbody>",
        history.len()
    );
    for h in history {
        let at = h
            .accepted_at
            .as_deref()
            .or(h.made_at.as_deref())
            .unwrap_or_default();
        let _ = write!(
            main,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&at.replace('T', " ")),
            esc(&names.author(&h.author)),
            esc(h.message.as_deref().unwrap_or("edit")),
            h.operations,
        );
    }
    main.push_str("</tbody></table></div></section>");
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
