//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`. Written by hand next
//! to the routes; a test checks it describes exactly [`API_ROUTES`](super::API_ROUTES).

use actix_web::HttpResponse;
use serde_json::{Map, Value, json};

use super::ReviewStore;

/// `GET /api/v1/openapi.json`.
pub async fn openapi<S: ReviewStore>() -> HttpResponse {
    HttpResponse::Ok().json(openapi_document())
}

struct Op {
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    auth: Auth,
    params: Vec<Value>,
    body: Option<Value>,
    ok: (u16, &'static str, Value),
    errors: &'static [u16],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Auth {
    None,
    Any,
    Reviewer,
    Admin,
}

fn query(name: &str, description: &str, schema: &Value) -> Value {
    json!({ "name": name, "in": "query", "required": false, "description": description, "schema": schema })
}

fn id_param(description: &str) -> Value {
    json!({ "name": "id", "in": "path", "required": true, "description": description, "schema": { "type": "string" } })
}

fn reference(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn case_filters() -> Vec<Value> {
    vec![
        query(
            "outcome",
            "Only this outcome; `none` for not yet evaluated.",
            &json!({ "type": "string", "enum": ["ELIGIBLE", "NOT_ELIGIBLE", "NEEDS_MORE_INFO", "none"] }),
        ),
        query(
            "review_state",
            "Only this review state.",
            &json!({ "type": "string", "enum": ["none", "approved", "needs_info", "rejected"] }),
        ),
        query(
            "has_conflicts",
            "Only cases with (true) or without (false) open legal conflicts.",
            &json!({ "type": "boolean" }),
        ),
        query(
            "volunteer",
            "Only cases created by this user ID.",
            &json!({ "type": "string", "format": "uuid" }),
        ),
        query(
            "updated_since",
            "Only cases changed at or after this RFC 3339 time.",
            &json!({ "type": "string", "format": "date-time" }),
        ),
        query(
            "q",
            "Name search (legal and other names; case, accents and punctuation ignored).",
            &json!({ "type": "string" }),
        ),
        query(
            "sort",
            "Order by.",
            &json!({ "type": "string", "enum": ["updated_at", "name", "outcome", "date_of_birth"], "default": "updated_at" }),
        ),
        query(
            "order",
            "Direction (default: desc for updated_at, asc otherwise).",
            &json!({ "type": "string", "enum": ["asc", "desc"] }),
        ),
        query(
            "limit",
            "Page size.",
            &json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }),
        ),
        query(
            "offset",
            "Rows skipped.",
            &json!({ "type": "integer", "minimum": 0, "default": 0 }),
        ),
    ]
}

fn operations() -> Vec<Op> {
    let obj = |props: Value, required: &[&str]| json!({ "type": "object", "properties": props, "required": required });
    vec![
        Op {
            method: "get",
            path: "/openapi.json",
            summary: "This document.",
            auth: Auth::None,
            params: vec![],
            body: None,
            ok: (200, "The OpenAPI document.", json!({ "type": "object" })),
            errors: &[],
        },
        Op {
            method: "post",
            path: "/sessions",
            summary: "Sign in with email and password; returns a session bearer token (12 h).",
            auth: Auth::None,
            params: vec![],
            body: Some(obj(
                json!({ "email": { "type": "string" }, "password": { "type": "string" } }),
                &["email", "password"],
            )),
            ok: (
                201,
                "Signed in.",
                obj(
                    json!({ "token": { "type": "string" }, "expires_at": { "type": "string", "format": "date-time" } }),
                    &["token", "expires_at"],
                ),
            ),
            errors: &[400, 401, 429],
        },
        Op {
            method: "delete",
            path: "/sessions",
            summary: "Sign out: ends the session of the bearer token.",
            auth: Auth::Any,
            params: vec![],
            body: None,
            ok: (204, "Signed out.", json!(null)),
            errors: &[401],
        },
        Op {
            method: "post",
            path: "/sync-tickets",
            summary: "A short-lived ticket for `GET /sync?ticket=` (clients that cannot set headers).",
            auth: Auth::Any,
            params: vec![],
            body: None,
            ok: (
                201,
                "A ticket (5 min).",
                obj(
                    json!({ "ticket": { "type": "string" }, "expires_at": { "type": "string", "format": "date-time" } }),
                    &["ticket", "expires_at"],
                ),
            ),
            errors: &[401],
        },
        Op {
            method: "get",
            path: "/me",
            summary: "The caller: user, clinic, role, device and index document URL.",
            auth: Auth::Any,
            params: vec![],
            body: None,
            ok: (200, "The caller.", json!({ "type": "object" })),
            errors: &[401],
        },
        Op {
            method: "get",
            path: "/documents/{id}",
            summary: "A stored intake as JSON, with its validation problems, for whoever may read it.",
            auth: Auth::Any,
            params: vec![id_param("Document ID (bs58check, as in automerge: URLs).")],
            body: None,
            ok: (200, "The intake.", json!({ "type": "object" })),
            errors: &[401, 404],
        },
        Op {
            method: "get",
            path: "/cases",
            summary: "The clinic's caseload: filtered, sorted, paged, with counts by outcome, review state and open conflicts.",
            auth: Auth::Reviewer,
            params: case_filters(),
            body: None,
            ok: (
                200,
                "A page of cases.",
                obj(
                    json!({ "cases": { "type": "array", "items": reference("Case") }, "total": { "type": "integer" }, "limit": { "type": "integer" }, "offset": { "type": "integer" }, "counts": reference("CaseCounts") }),
                    &["cases", "total", "limit", "offset", "counts"],
                ),
            ),
            errors: &[400, 401, 403],
        },
        Op {
            method: "get",
            path: "/cases/export.csv",
            summary: "The filtered caseload as CSV (all pages, up to 50,000 rows; `limit`/`offset` are ignored).",
            auth: Auth::Reviewer,
            params: case_filters(),
            body: None,
            ok: (200, "text/csv", json!({ "type": "string" })),
            errors: &[400, 401, 403],
        },
        Op {
            method: "get",
            path: "/cases/{id}",
            summary: "One case: intake, determination with explanations, open conflicts with each value's author and time, history, duplicate candidates.",
            auth: Auth::Reviewer,
            params: vec![id_param("Document ID of the intake.")],
            body: None,
            ok: (200, "The case.", reference("CaseDetail")),
            errors: &[401, 403, 404],
        },
        Op {
            method: "post",
            path: "/cases/{id}/review",
            summary: "Record the supervisor's decision in the intake's `review` section; it syncs to the volunteer's devices.",
            auth: Auth::Reviewer,
            params: vec![id_param("Document ID of the intake.")],
            body: Some(obj(
                json!({ "decision": { "type": "string", "enum": ["approved", "needs_info", "rejected"] }, "message": { "type": "string", "maxLength": 4000, "description": "Required for needs_info." }, "fields": { "type": "array", "items": { "type": "string" }, "description": "Field paths the message is about." } }),
                &["decision"],
            )),
            ok: (200, "Recorded.", json!({ "type": "object" })),
            errors: &[400, 401, 403, 404],
        },
        Op {
            method: "post",
            path: "/cases/{id}/conflicts/resolve",
            summary: "Resolve a legal conflict by choosing one of its values or entering one; written as the server's change and re-evaluated.",
            auth: Auth::Reviewer,
            params: vec![id_param("Document ID of the intake.")],
            body: Some(obj(
                json!({ "path": { "type": "string", "examples": ["offenses[0].offense_date"] }, "value_id": { "type": "string", "description": "One of the conflict's value IDs." }, "value": { "description": "A value entered instead (string; list of strings for person.other_names)." }, "seen_value_ids": { "type": "array", "items": { "type": "string" }, "description": "The value IDs shown; if the field's values changed since, 409 and nothing is written." } }),
                &["path"],
            )),
            ok: (200, "Resolved.", json!({ "type": "object" })),
            errors: &[400, 401, 403, 404, 409],
        },
        Op {
            method: "get",
            path: "/cases/{id}/packet",
            summary: "The DOJ certificate application packet of an eligible case (RULES.md section 9 fields, eligible offenses, missing items).",
            auth: Auth::Reviewer,
            params: vec![id_param("Document ID of the intake.")],
            body: None,
            ok: (200, "The packet.", json!({ "type": "object" })),
            errors: &[401, 403, 404, 409],
        },
        Op {
            method: "get",
            path: "/cases/{id}/packet.html",
            summary: "The same packet as a printable HTML page.",
            auth: Auth::Reviewer,
            params: vec![id_param("Document ID of the intake.")],
            body: None,
            ok: (200, "text/html", json!({ "type": "string" })),
            errors: &[401, 403, 404, 409],
        },
        Op {
            method: "get",
            path: "/duplicates",
            summary: "Duplicate-person candidates of the clinic, best first, with both cases.",
            auth: Auth::Reviewer,
            params: vec![
                query(
                    "status",
                    "Which candidates (default open).",
                    &json!({ "type": "string", "enum": ["open", "linked", "dismissed", "all"] }),
                ),
                query(
                    "limit",
                    "At most this many.",
                    &json!({ "type": "integer", "minimum": 1, "maximum": 500, "default": 50 }),
                ),
            ],
            body: None,
            ok: (
                200,
                "Candidates.",
                obj(
                    json!({ "duplicates": { "type": "array", "items": reference("Duplicate") } }),
                    &["duplicates"],
                ),
            ),
            errors: &[400, 401, 403],
        },
        Op {
            method: "post",
            path: "/duplicates/decision",
            summary: "Link two intakes as the same person (written into both documents' `server.same_person`; nothing is merged or deleted) or dismiss the pair.",
            auth: Auth::Reviewer,
            params: vec![],
            body: Some(obj(
                json!({ "documents": { "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 }, "decision": { "type": "string", "enum": ["linked", "dismissed"] } }),
                &["documents", "decision"],
            )),
            ok: (200, "Decided.", reference("Duplicate")),
            errors: &[400, 401, 403, 404],
        },
        Op {
            method: "post",
            path: "/admin/clinics",
            summary: "Create a clinic.",
            auth: Auth::Admin,
            params: vec![],
            body: Some(obj(json!({ "name": { "type": "string" } }), &["name"])),
            ok: (
                201,
                "Created.",
                obj(
                    json!({ "clinic_id": { "type": "string", "format": "uuid" } }),
                    &["clinic_id"],
                ),
            ),
            errors: &[400, 401, 403],
        },
        Op {
            method: "post",
            path: "/admin/users",
            summary: "Create a user in the admin's clinic.",
            auth: Auth::Admin,
            params: vec![],
            body: Some(obj(
                json!({ "email": { "type": "string" }, "role": { "type": "string", "enum": ["volunteer", "supervisor", "admin"] }, "password": { "type": "string", "minLength": 12 } }),
                &["email", "role", "password"],
            )),
            ok: (
                201,
                "Created.",
                obj(
                    json!({ "user_id": { "type": "string", "format": "uuid" }, "index_url": { "type": "string" } }),
                    &["user_id", "index_url"],
                ),
            ),
            errors: &[400, 401, 403],
        },
        Op {
            method: "post",
            path: "/admin/devices",
            summary: "Enroll a device for a user of the admin's clinic; the token is shown once.",
            auth: Auth::Admin,
            params: vec![],
            body: Some(obj(
                json!({ "user_email": { "type": "string" }, "name": { "type": "string" } }),
                &["user_email"],
            )),
            ok: (
                201,
                "Enrolled.",
                obj(
                    json!({ "device_id": { "type": "string", "format": "uuid" }, "token": { "type": "string" }, "index_url": { "type": "string" } }),
                    &["device_id", "token", "index_url"],
                ),
            ),
            errors: &[400, 401, 403, 404],
        },
        Op {
            method: "delete",
            path: "/admin/devices/{id}",
            summary: "Revoke a device and close its connections at once.",
            auth: Auth::Admin,
            params: vec![id_param("Device ID.")],
            body: None,
            ok: (200, "Revoked.", json!({ "type": "object" })),
            errors: &[401, 403, 404],
        },
        Op {
            method: "get",
            path: "/admin/audit",
            summary: "The clinic's audit log, newest first.",
            auth: Auth::Admin,
            params: vec![
                query(
                    "doc",
                    "Only entries about this document ID.",
                    &json!({ "type": "string" }),
                ),
                query(
                    "actor",
                    "Only entries by this user or device ID.",
                    &json!({ "type": "string" }),
                ),
                query(
                    "since",
                    "Only entries at or after (ms since the epoch).",
                    &json!({ "type": "integer" }),
                ),
                query(
                    "before",
                    "Only entries with an ID below this (paging backwards).",
                    &json!({ "type": "integer" }),
                ),
                query(
                    "limit",
                    "At most this many (up to 1000).",
                    &json!({ "type": "integer" }),
                ),
            ],
            body: None,
            ok: (200, "Entries.", json!({ "type": "object" })),
            errors: &[400, 401, 403],
        },
    ]
}

fn error_text(status: u16) -> &'static str {
    match status {
        400 => "Malformed request; `reason` says what to fix.",
        401 => "No valid credential.",
        403 => "The caller's role may not do this.",
        404 => "Not found, or not visible to the caller.",
        409 => "Conflicts with the current state; `reason` says how.",
        429 => "Too many failed attempts; try later.",
        _ => "Error.",
    }
}

/// The OpenAPI document.
#[must_use]
pub fn openapi_document() -> Value {
    let mut paths = Map::new();
    for op in operations() {
        let full = format!("/api/v1{}", op.path);
        let mut responses = Map::new();
        let (code, description, schema) = op.ok;
        let content_type = if op.path.ends_with(".csv") {
            "text/csv"
        } else if op.path.ends_with(".html") {
            "text/html"
        } else {
            "application/json"
        };
        responses.insert(
            code.to_string(),
            if schema.is_null() {
                json!({ "description": description })
            } else {
                json!({ "description": description, "content": { content_type: { "schema": schema } } })
            },
        );
        for status in op.errors {
            responses.insert(
                status.to_string(),
                json!({ "description": error_text(*status), "content": { "application/json": { "schema": reference("Error") } } }),
            );
        }
        let mut operation = json!({
            "operationId": format!("{}{}", op.method, op.path.replace(['/', '{', '}', '.', '-'], "_")),
            "summary": op.summary,
            "parameters": op.params,
            "responses": responses,
        });
        operation["security"] = match op.auth {
            Auth::None => json!([]),
            Auth::Any => json!([{ "bearer": [] }]),
            Auth::Reviewer => {
                operation["description"] =
                    json!("Supervisors and admins of the intake's clinic only.");
                json!([{ "bearer": [] }])
            }
            Auth::Admin => {
                operation["description"] = json!("Admins only, within their clinic.");
                json!([{ "bearer": [] }])
            }
        };
        if let Some(body) = op.body {
            operation["requestBody"] =
                json!({ "required": true, "content": { "application/json": { "schema": body } } });
        }
        let entry = paths.entry(full).or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "fieldclinic API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Review API for supervisors of a legal-aid field clinic, sessions and tickets for devices, and administration. Devices sync intakes over the automerge-repo WebSocket protocol at GET /sync, which this document does not describe.",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer", "description": "A session token (POST /api/v1/sessions) or a device token (enrollment)." }
            },
            "schemas": {
                "Error": { "type": "object", "properties": { "reason": { "type": "string" } }, "required": ["reason"] },
                "Case": {
                    "type": "object",
                    "properties": {
                        "document_id": { "type": "string" },
                        "url": { "type": "string", "description": "automerge: URL" },
                        "legal_name": { "type": ["string", "null"] },
                        "other_names": { "type": "array", "items": { "type": "string" } },
                        "date_of_birth": { "type": ["string", "null"] },
                        "outcome": { "type": ["string", "null"], "enum": ["ELIGIBLE", "NOT_ELIGIBLE", "NEEDS_MORE_INFO", null] },
                        "provisional": { "type": "boolean" },
                        "open_conflicts": { "type": "integer" },
                        "review_state": { "type": "string", "enum": ["none", "approved", "needs_info", "rejected"] },
                        "offense_count": { "type": "integer" },
                        "missing_required": { "type": "integer" },
                        "created_by_user": { "type": "string", "format": "uuid" },
                        "volunteer_email": { "type": ["string", "null"] },
                        "updated_at": { "type": "string", "format": "date-time" }
                    },
                    "required": ["document_id", "url", "provisional", "open_conflicts", "review_state"]
                },
                "CaseCounts": {
                    "type": "object",
                    "properties": {
                        "total": { "type": "integer" },
                        "by_outcome": { "type": "object", "additionalProperties": { "type": "integer" } },
                        "by_review_state": { "type": "object", "additionalProperties": { "type": "integer" } },
                        "with_open_conflicts": { "type": "integer" },
                        "open_duplicates": { "type": "integer" }
                    }
                },
                "Conflict": {
                    "type": "object",
                    "properties": {
                        "path": { "type": "string" },
                        "section": { "type": "string", "enum": ["identity", "status", "offense", "structure"] },
                        "offense_id": { "type": ["string", "null"] },
                        "values": { "type": "array", "items": { "type": "object", "properties": {
                            "id": { "type": "string" }, "value": {}, "author": { "type": "object" },
                            "change_hash": { "type": ["string", "null"] }, "made_at": { "type": ["string", "null"] }, "accepted_at": { "type": ["string", "null"] }
                        } } }
                    }
                },
                "CaseDetail": {
                    "type": "object",
                    "properties": {
                        "document_id": { "type": "string" },
                        "url": { "type": "string" },
                        "case": reference("Case"),
                        "intake": { "type": "object", "description": "The intake document (see `fieldclinic schema export`)." },
                        "determination": { "type": ["object", "null"] },
                        "review": { "type": ["object", "null"] },
                        "problems": { "type": "array", "items": { "type": "object" } },
                        "conflicts": { "type": "array", "items": reference("Conflict") },
                        "history": { "type": "array", "items": { "type": "object" } },
                        "heads": { "type": "array", "items": { "type": "string" } },
                        "duplicates": { "type": "array", "items": reference("Duplicate") }
                    }
                },
                "Duplicate": {
                    "type": "object",
                    "properties": {
                        "documents": { "type": "array", "items": { "type": "string" } },
                        "other_document_id": { "type": "string" },
                        "score": { "type": "number" },
                        "reasons": { "type": "array", "items": { "type": "string" } },
                        "status": { "type": "string", "enum": ["open", "linked", "dismissed"] },
                        "detected_at": { "type": "string", "format": "date-time" },
                        "decided_at": { "type": ["string", "null"] },
                        "decided_by": { "type": ["string", "null"] }
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routes::API_ROUTES;

    #[test]
    fn the_document_describes_exactly_the_registered_routes() {
        let doc = openapi_document();
        let paths = doc["paths"].as_object().expect("paths");
        let mut described: Vec<(String, String)> = paths
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .expect("path item")
                    .keys()
                    .map(move |method| (method.clone(), path.clone()))
            })
            .collect();
        let mut registered: Vec<(String, String)> = API_ROUTES
            .iter()
            .map(|(m, p)| ((*m).to_owned(), format!("/api/v1{p}")))
            .collect();
        described.sort();
        registered.sort();
        assert_eq!(described, registered);
    }
}
