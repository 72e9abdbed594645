//! The OpenAPI 3.1 document of `/api/v1`, served at `/api/v1/openapi.json`. Written by hand next
//! to the routes; a test checks it describes exactly [`API_ROUTES`](super::API_ROUTES).

use actix_web::HttpResponse;
use serde_json::{Map, Value, json};

use super::AppStore;

/// `GET /api/v1/openapi.json`.
pub async fn openapi<S: AppStore>() -> HttpResponse {
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

/// An object schema whose every listed property is always present (the handlers serialise
/// `None` as `null`, never leave a key out).
fn record(props: Value) -> Value {
    let required: Vec<Value> = props
        .as_object()
        .map(|m| m.keys().map(|k| Value::from(k.as_str())).collect())
        .unwrap_or_default();
    let mut schema = Map::new();
    schema.insert("type".into(), "object".into());
    schema.insert("properties".into(), props);
    schema.insert("required".into(), Value::Array(required));
    Value::Object(schema)
}

/// `schema` or `null`.
fn nullable(schema: Value) -> Value {
    let mut any_of = Map::new();
    any_of.insert(
        "anyOf".into(),
        Value::Array(vec![schema, json!({ "type": "null" })]),
    );
    Value::Object(any_of)
}

fn string() -> Value {
    json!({ "type": "string" })
}

fn opt_string() -> Value {
    json!({ "type": ["string", "null"] })
}

fn strings() -> Value {
    json!({ "type": "array", "items": { "type": "string" } })
}

fn uuid() -> Value {
    json!({ "type": "string", "format": "uuid" })
}

fn count() -> Value {
    json!({ "type": "integer", "minimum": 0 })
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
            &json!({ "type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64, "default": 0 }),
        ),
    ]
}

/// `schema` with `additionalProperties: false`: the body type denies unknown fields (400).
fn closed(mut schema: Value) -> Value {
    schema["additionalProperties"] = json!(false);
    schema
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
                json!({ "email": { "type": "string", "maxLength": 254 }, "password": { "type": "string", "maxLength": 1024 } }),
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
            errors: &[400, 401, 429, 503],
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
            ok: (
                200,
                "The caller.",
                record(json!({
                    "user_id": uuid(),
                    "clinic_id": uuid(),
                    "email": string(),
                    "role": { "type": "string", "enum": ["volunteer", "supervisor", "admin"] },
                    "device_id": nullable(uuid()),
                    "index_url": string(),
                })),
            ),
            errors: &[401],
        },
        Op {
            method: "get",
            path: "/documents/{id}",
            summary: "A stored intake as JSON, with its validation problems, for whoever may read it.",
            auth: Auth::Any,
            params: vec![id_param("Document ID (bs58check, as in automerge: URLs).")],
            body: None,
            ok: (
                200,
                "The intake.",
                record(json!({
                    "document_id": string(),
                    "url": string(),
                    "intake": reference("Intake"),
                    "problems": { "type": "array", "items": reference("Problem") },
                })),
            ),
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
            body: Some(closed(obj(
                json!({ "decision": { "type": "string", "enum": ["approved", "needs_info", "rejected"] }, "message": { "type": ["string", "null"], "maxLength": 4000, "description": "Required (not blank) for needs_info." }, "fields": { "type": "array", "items": { "type": "string", "maxLength": 200 }, "maxItems": 100, "description": "Field paths the message is about." } }),
                &["decision"],
            ))),
            ok: (
                200,
                "Recorded.",
                record(json!({ "document_id": string(), "review": reference("Review") })),
            ),
            errors: &[400, 401, 403, 404],
        },
        Op {
            method: "post",
            path: "/cases/{id}/conflicts/resolve",
            summary: "Resolve a legal conflict by choosing one of its values or entering one; written as the server's change and re-evaluated.",
            auth: Auth::Reviewer,
            params: vec![id_param("Document ID of the intake.")],
            body: Some(json!({
                "type": "object",
                "description": "Exactly one of `value_id` and `value`.",
                "properties": {
                    "path": { "type": "string", "examples": ["offenses[0].offense_date"] },
                    "value_id": { "type": ["string", "null"], "description": "One of the conflict's value IDs." },
                    "value": { "description": "A value entered instead (string; list of strings for person.other_names)." },
                    "seen_value_ids": { "type": ["array", "null"], "items": { "type": "string" }, "description": "The value IDs shown; if the field's values changed since, 409 and nothing is written." }
                },
                "required": ["path"],
                "additionalProperties": false,
                "oneOf": [
                    { "required": ["value_id"], "properties": { "value_id": { "type": "string" }, "value": { "type": "null" } } },
                    { "required": ["value"], "properties": { "value_id": { "type": "null" }, "value": { "not": { "type": "null" } } } }
                ]
            })),
            ok: (
                200,
                "Resolved.",
                record(
                    json!({ "document_id": string(), "path": string(), "value": { "description": "The value written." } }),
                ),
            ),
            errors: &[400, 401, 403, 404, 409],
        },
        Op {
            method: "get",
            path: "/cases/{id}/packet",
            summary: "The DOJ certificate application packet of an eligible case (RULES.md section 9 fields, eligible offenses, missing items).",
            auth: Auth::Reviewer,
            params: vec![id_param("Document ID of the intake.")],
            body: None,
            ok: (200, "The packet.", reference("Packet")),
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
                    json!({ "duplicates": { "type": "array", "items": reference("DuplicateWithCases") } }),
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
            body: Some(closed(obj(
                json!({ "documents": { "type": "array", "items": { "type": "string" }, "minItems": 2, "maxItems": 2 }, "decision": { "type": "string", "enum": ["linked", "dismissed"] } }),
                &["documents", "decision"],
            ))),
            ok: (200, "Decided.", reference("Duplicate")),
            errors: &[400, 401, 403, 404],
        },
        Op {
            method: "post",
            path: "/admin/clinics",
            summary: "Refused: clinics are created by whoever runs the network, with `fieldclinic admin create-clinic` on the server.",
            auth: Auth::Admin,
            params: vec![],
            body: Some(obj(json!({ "name": { "type": "string" } }), &["name"])),
            ok: (
                403,
                "Always, for every clinic admin (401 without an admin's credential).",
                reference("Error"),
            ),
            errors: &[400, 401],
        },
        Op {
            method: "post",
            path: "/admin/users",
            summary: "Create a user in the admin's clinic.",
            auth: Auth::Admin,
            params: vec![],
            body: Some(obj(
                json!({ "email": { "type": "string", "format": "email", "maxLength": 254, "description": "Stored trimmed and lower-cased." }, "role": { "type": "string", "enum": ["volunteer", "supervisor", "admin"] }, "password": { "type": "string", "minLength": 12, "maxLength": 1024 } }),
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
            ok: (
                200,
                "Revoked.",
                record(json!({
                    "device_id": uuid(),
                    "revoked_at": { "type": ["string", "null"], "format": "date-time" },
                    "connections_closed": count(),
                })),
            ),
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
                    &json!({ "type": "integer", "format": "int64" }),
                ),
                query(
                    "before",
                    "Only entries with an ID below this (paging backwards).",
                    &json!({ "type": "integer", "format": "int64" }),
                ),
                query(
                    "limit",
                    "At most this many (default 100; more than 1000 reads as 1000).",
                    &json!({ "type": "integer", "minimum": 0, "maximum": 4_294_967_295_u64, "default": 100 }),
                ),
            ],
            body: None,
            ok: (
                200,
                "Entries.",
                record(json!({ "entries": { "type": "array", "items": reference("AuditEntry") } })),
            ),
            errors: &[400, 401, 403],
        },
    ]
}

fn error_text(status: u16) -> &'static str {
    match status {
        400 => "Malformed request; `reason` says what to fix.",
        401 => "No valid credential; `revoked` is true when the device or account was removed.",
        403 => "The caller's role may not do this.",
        404 => "Not found, or not visible to the caller.",
        409 => "Conflicts with the current state; `reason` says how.",
        429 => "Too many attempts; try again after `Retry-After` seconds.",
        503 => "Every password check is busy; try again after `Retry-After` seconds.",
        _ => "Error.",
    }
}

fn operation_id(method: &str, path: &str) -> String {
    format!("{method}{}", path.replace(['/', '{', '}', '.', '-'], "_"))
}

/// What a response's IDs open: the caseload's first case, a duplicate candidate's pair, an
/// enrolled device (OpenAPI links, which clients and stateful testers follow).
fn links(operation_id: &str) -> Option<Value> {
    let first_case = json!({ "id": "$response.body#/cases/0/document_id" });
    let to = |method: &str, path: &str, parameters: &Value| json!({ "operationId": self::operation_id(method, path), "parameters": parameters });
    match operation_id {
        "get_cases" => Some(json!({
            "GetCase": to("get", "/cases/{id}", &first_case),
            "ReviewCase": to("post", "/cases/{id}/review", &first_case),
            "ResolveConflict": to("post", "/cases/{id}/conflicts/resolve", &first_case),
            "CasePacket": to("get", "/cases/{id}/packet", &first_case),
            "CasePacketHtml": to("get", "/cases/{id}/packet.html", &first_case),
            "Document": to("get", "/documents/{id}", &first_case),
        })),
        "get_duplicates" => Some(json!({
            "DismissPair": {
                "operationId": self::operation_id("post", "/duplicates/decision"),
                "requestBody": { "documents": "$response.body#/duplicates/0/documents", "decision": "dismissed" },
            },
        })),
        "post_admin_devices" => Some(json!({
            "RevokeDevice": to("delete", "/admin/devices/{id}", &json!({ "id": "$response.body#/device_id" })),
        })),
        _ => None,
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
            let mut response = json!({ "description": error_text(*status), "content": { "application/json": { "schema": reference("Error") } } });
            if matches!(status, 429 | 503) {
                response["headers"] = json!({ "Retry-After": { "description": "Seconds to wait.", "required": true, "schema": { "type": "integer", "minimum": 1 } } });
            }
            responses.insert(status.to_string(), response);
        }
        let operation_id = operation_id(op.method, op.path);
        if let Some(links) = links(&operation_id)
            && let Some(ok) = responses.get_mut(&code.to_string())
        {
            ok["links"] = links;
        }
        let mut operation = json!({
            "operationId": operation_id,
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
            "schemas": component_schemas(),
        }
    })
}

fn packet_field() -> Value {
    record(json!({
        "item": count(),
        "label": string(),
        "value": opt_string(),
        "status": { "type": "string", "enum": ["filled", "missing", "not_applicable"] },
        "required": string(),
        "source_field": string(),
    }))
}

fn checklist_item() -> Value {
    record(json!({ "key": string(), "label": string(), "required": { "type": "boolean" } }))
}

fn author() -> Value {
    json!({
        "oneOf": [
            record(json!({ "kind": { "const": "device" }, "device_id": uuid(), "user_id": nullable(uuid()) })),
            record(json!({ "kind": { "const": "user" }, "user_id": uuid() })),
            record(json!({ "kind": { "const": "server" } })),
        ]
    })
}

/// `components.schemas`: what the handlers serialise, field for field.
#[expect(clippy::too_many_lines, reason = "one schema after another")]
fn component_schemas() -> Value {
    let date_time = json!({ "type": "string", "format": "date-time" });
    let opt_date_time = json!({ "type": ["string", "null"], "format": "date-time" });
    let outcome = json!({ "type": ["string", "null"], "enum": ["ELIGIBLE", "NOT_ELIGIBLE", "NEEDS_MORE_INFO", null] });
    let review_state =
        json!({ "type": "string", "enum": ["none", "approved", "needs_info", "rejected"] });
    json!({
        "Error": {
            "type": "object",
            "properties": {
                "reason": string(),
                "revoked": { "type": "boolean", "description": "Present and true on a 401 for a removed device or deactivated account." },
            },
            "required": ["reason"],
        },
        "Case": record(json!({
            "document_id": string(),
            "doc": { "type": "string", "description": "The same as document_id." },
            "url": { "type": "string", "description": "automerge: URL" },
            "clinic_id": uuid(),
            "created_by_user": uuid(),
            "legal_name": opt_string(),
            "other_names": strings(),
            "date_of_birth": opt_string(),
            "outcome": outcome,
            "provisional": { "type": "boolean" },
            "open_conflicts": count(),
            "review_state": review_state,
            "offense_count": count(),
            "missing_required": count(),
            "volunteer_email": opt_string(),
            "updated_at_millis": { "type": "integer" },
            "updated_at": opt_date_time,
        })),
        "CaseCounts": record(json!({
            "total": count(),
            "by_outcome": { "type": "object", "additionalProperties": count() },
            "by_review_state": { "type": "object", "additionalProperties": count() },
            "with_open_conflicts": count(),
            "open_duplicates": count(),
        })),
        "Conflict": record(json!({
            "path": string(),
            "section": { "type": "string", "enum": ["identity", "status", "offense", "structure"] },
            "offense_id": opt_string(),
            "values": { "type": "array", "items": record(json!({
                "id": { "type": "string", "description": "What value_id names when resolving." },
                "value": {},
                "author": author(),
                "change_hash": opt_string(),
                "made_at": opt_string(),
                "accepted_at": opt_string(),
            })) },
        })),
        "HistoryEntry": record(json!({
            "change_hash": string(),
            "actor": string(),
            "seq": count(),
            "operations": count(),
            "message": opt_string(),
            "made_at": opt_string(),
            "accepted_at": opt_string(),
            "author": author(),
        })),
        "CaseDetail": record(json!({
            "document_id": string(),
            "url": string(),
            "case": nullable(reference("Case")),
            "intake": reference("Intake"),
            "determination": nullable(reference("Determination")),
            "review": nullable(reference("Review")),
            "problems": { "type": "array", "items": reference("Problem") },
            "conflicts": { "type": "array", "items": reference("Conflict") },
            "history": { "type": "array", "items": reference("HistoryEntry") },
            "heads": strings(),
            "duplicates": { "type": "array", "items": reference("Duplicate") },
        })),
        "Duplicate": record(json!({
            "documents": { "type": "array", "items": string(), "minItems": 2, "maxItems": 2 },
            "other_document_id": string(),
            "score": { "type": "number" },
            "reasons": strings(),
            "status": { "type": "string", "enum": ["open", "linked", "dismissed"] },
            "detected_at": opt_date_time,
            "decided_at": opt_date_time,
            "decided_by": nullable(uuid()),
        })),
        "DuplicateWithCases": {
            "allOf": [
                reference("Duplicate"),
                {
                    "type": "object",
                    "properties": {
                        "cases": {
                            "type": "array",
                            "items": nullable(reference("Case")),
                            "minItems": 2,
                            "maxItems": 2,
                            "description": "Both cases' summaries, in `documents` order (null while a case is not indexed yet).",
                        }
                    },
                    "required": ["cases"],
                },
            ]
        },
        "Problem": record(json!({
            "path": string(),
            "problem": { "type": "object", "properties": { "kind": string() }, "required": ["kind"] },
            "value": opt_string(),
        })),
        "Review": record(json!({
            "decision": string(),
            "message": opt_string(),
            "fields": strings(),
            "reviewer": opt_string(),
            "reviewed_at": string(),
        })),
        "Determination": record(json!({
            "outcome": string(),
            "proclamations": strings(),
            "provisional": { "type": "boolean" },
            "open_conflicts": strings(),
            "reasons": { "type": "array", "items": record(json!({
                "code": string(),
                "category": string(),
                "explanation": string(),
                "rule_text": string(),
                "question": opt_string(),
            })) },
            "offenses": { "type": "array", "items": record(json!({
                "index": count(),
                "offense_id": opt_string(),
                "outcome": string(),
                "proclamations": strings(),
                "reasons": strings(),
                "canonical_citations": strings(),
                "family": opt_string(),
            })) },
            "missing_items": { "type": "array", "items": checklist_item() },
            "rules_version": string(),
            "input_hash": string(),
            "evaluated_at": string(),
        })),
        "Intake": {
            "type": "object",
            "description": "The intake document as read (see `fieldclinic schema export`); absent fields are null.",
            "properties": {
                "kind": opt_string(),
                "schema_version": { "type": ["integer", "null"], "minimum": 0 },
                "person": { "type": "object", "properties": { "legal_name": opt_string(), "other_names": strings(), "date_of_birth": opt_string() }, "required": ["legal_name", "other_names", "date_of_birth"] },
                "offenses": { "type": "array", "items": { "type": "object" } },
                "documents": { "type": "array", "items": { "type": "object" } },
                "consent": { "type": "object" },
                "notes": opt_string(),
                "determination": nullable(reference("Determination")),
                "review": nullable(reference("Review")),
                "server": nullable(record(json!({ "same_person": { "type": "array", "items": record(json!({
                    "document_url": string(),
                    "linked_by": opt_string(),
                    "linked_at": string(),
                })) } }))),
            },
            "required": ["kind", "schema_version", "person", "offenses", "documents", "consent", "notes", "determination", "review", "server"],
        },
        "Packet": record(json!({
            "document_id": string(),
            "generated_at": date_time,
            "rules_version": string(),
            "evaluated_at": string(),
            "provisional": { "type": "boolean" },
            "open_conflicts": strings(),
            "ready": { "type": "boolean" },
            "proclamations": strings(),
            "fields": { "type": "array", "items": packet_field() },
            "offenses": { "type": "array", "items": record(json!({
                "index": count(),
                "offense_id": opt_string(),
                "charge_text": opt_string(),
                "charge_or_conviction": packet_field(),
                "court": packet_field(),
                "offense_date": packet_field(),
                "disposition_date": packet_field(),
                "docket_number": packet_field(),
                "citation": packet_field(),
                "substance": packet_field(),
                "status_at_offense": packet_field(),
                "canonical_citations": strings(),
                "proclamations": strings(),
            })) },
            "supporting_documents": { "type": "array", "items": record(json!({
                "kind": string(),
                "label": string(),
                "present": { "type": "boolean" },
                "note": opt_string(),
                "counts_for_item_15": { "type": "boolean" },
            })) },
            "missing_items": { "type": "array", "items": checklist_item() },
            "submission": record(json!({
                "online_form": string(),
                "email": string(),
                "mail": string(),
                "caveats": strings(),
                "form_note": string(),
            })),
        })),
        "AuditEntry": record(json!({
            "id": { "type": "integer" },
            "at_millis": { "type": "integer" },
            "clinic_id": nullable(uuid()),
            "actor_kind": string(),
            "actor_id": string(),
            "doc": opt_string(),
            "action": string(),
            "detail": {},
            "remote_addr": opt_string(),
        })),
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

    fn refs<'a>(value: &'a Value, found: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(target)) = map.get("$ref") {
                    found.push(target);
                }
                map.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }

    #[test]
    fn every_link_names_an_operation() {
        let doc = openapi_document();
        let operations: Vec<&Value> = doc["paths"]
            .as_object()
            .expect("paths")
            .values()
            .flat_map(|item| item.as_object().expect("path item").values())
            .collect();
        let ids: Vec<&str> = operations
            .iter()
            .map(|op| op["operationId"].as_str().expect("operationId"))
            .collect();
        let mut linked = 0;
        for op in &operations {
            for response in op["responses"].as_object().expect("responses").values() {
                for link in response["links"]
                    .as_object()
                    .into_iter()
                    .flat_map(|l| l.values())
                {
                    let target = link["operationId"].as_str().expect("link operationId");
                    assert!(ids.contains(&target), "a link names {target}");
                    linked += 1;
                }
            }
        }
        assert!(linked > 0);
    }

    #[test]
    fn every_reference_names_a_component_schema() {
        let doc = openapi_document();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{target} is not a component schema"));
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{target} names no schema"
            );
        }
    }
}
