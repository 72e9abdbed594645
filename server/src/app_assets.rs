//! The volunteers' intake app at `/app/`: the files `app/build.mjs` writes to `app/dist`, embedded
//! in the binary so a clinic's set-up stays one command and needs no Node.
//!
//! Files under `assets/` carry a content hash in their names and are cached for a year; the page,
//! the service worker, the manifest and the icons are revalidated on every load (by ETag), so a new
//! release reaches devices on their next visit and the service worker can offer it.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use rust_embed::Embed;

#[derive(Embed)]
#[folder = "../app/dist"]
struct AppFiles;

/// The app runs automerge's wasm (`'wasm-unsafe-eval'`, for `/app/` only), opens its sync socket
/// and API calls on this origin, and shows the camera for the enrollment code; nothing else.
const APP_CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; \
     worker-src 'self'; manifest-src 'self'; form-action 'none'; frame-ancestors 'none'; \
     base-uri 'none'";

/// Registers `/app`, `/app/` and the files under it.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/app", web::get().to(to_app))
        .route("/app/", web::get().to(index))
        .route("/app/{path:.*}", web::get().to(file));
}

async fn to_app() -> HttpResponse {
    HttpResponse::PermanentRedirect()
        .insert_header((header::LOCATION, "/app/"))
        .finish()
}

async fn index(req: HttpRequest) -> HttpResponse {
    serve(&req, "index.html")
}

async fn file(req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    serve(&req, &path)
}

fn serve(req: &HttpRequest, path: &str) -> HttpResponse {
    let Some(found) = AppFiles::get(path) else {
        return HttpResponse::NotFound()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(serde_json::json!({ "reason": "no such file in the intake app" }));
    };
    let etag = format!("\"{}\"", hex::encode(&found.metadata.sha256_hash()[..16]));
    let cache = if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header((header::CONTENT_TYPE, content_type(path)))
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((header::CONTENT_SECURITY_POLICY, APP_CSP))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .insert_header((header::REFERRER_POLICY, "no-referrer"))
        .insert_header((header::X_FRAME_OPTIONS, "DENY"))
        .insert_header((
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(self), microphone=(), geolocation=()"),
        ));
    if fresh {
        response.finish()
    } else {
        response.body(found.data.into_owned())
    }
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, ext)| ext) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_app_has_its_shell_worker_and_wasm() {
        let names: Vec<String> = AppFiles::iter().map(|n| n.into_owned()).collect();
        assert!(names.iter().any(|n| n == "index.html"), "{names:?}");
        assert!(names.iter().any(|n| n == "sw.js"), "{names:?}");
        assert!(
            names
                .iter()
                .any(|n| n.starts_with("assets/automerge-") && n.ends_with(".wasm")),
            "{names:?}"
        );
    }

    #[test]
    fn the_apps_copy_of_the_intake_schema_is_the_servers() {
        let committed: serde_json::Value =
            serde_json::from_str(include_str!("../../app/src/intake-schema.json"))
                .expect("app/src/intake-schema.json is JSON");
        assert_eq!(
            committed,
            fieldclinic_schema::intake_json_schema(),
            "app/src/intake-schema.json is stale: run `fieldclinic schema export > app/src/intake-schema.json`"
        );
    }

    #[test]
    fn wasm_is_served_as_wasm() {
        assert_eq!(
            content_type("assets/automerge-0123.wasm"),
            "application/wasm"
        );
        assert_eq!(content_type("sw.js"), "text/javascript; charset=utf-8");
    }
}
