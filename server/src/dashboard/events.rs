//! Live updates: `GET /events` streams a server-sent event whenever a case of the viewer's
//! clinic changes, so an open caseload or case page refreshes itself. Events name only the
//! document ID; the page fetches what changed through its usual, access-checked route.
//!
//! Events come from this instance's case projector. With several instances behind one
//! database, a page sees changes synced to its own instance only (the LISTEN/NOTIFY path that
//! will carry document changes between instances is the place to add them).

use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, http::header, web};

use super::session::viewer;
use crate::state::{AppState, AppStore};
use tokio::sync::broadcast;

/// How often an open stream checks that its session still holds: a stream dies with the
/// session it came from (signed out, expired, user disabled) within this.
const RECHECK: Duration = Duration::from_secs(5);
/// Every this many quiet checks an idle stream sends a comment, so proxies and browsers keep it
/// open (every 15 s).
const KEEPALIVE_EVERY: u32 = 3;

/// `GET /events`.
pub async fn events<S: AppStore>(req: HttpRequest, state: web::Data<AppState<S>>) -> HttpResponse {
    let v = match viewer(&state.store, &req).await {
        Ok(v) if v.who.sees_whole_clinic() => v,
        Ok(_) => return HttpResponse::Forbidden().finish(),
        Err(_) => return HttpResponse::Unauthorized().finish(),
    };
    let clinic = v.who.clinic_id;
    let rx = state.events.sender.subscribe();
    let closing = state.events.closing.clone();
    let who = v.who;
    let state = state.into_inner();
    let stream = futures_util::stream::unfold(
        (rx, 0u32, Instant::now()),
        move |(mut rx, mut quiet, mut checked)| {
            let closing = closing.clone();
            let state = std::sync::Arc::clone(&state);
            let who = who.clone();
            async move {
                loop {
                    let received = tokio::select! {
                        () = closing.cancelled() => return None,
                        r = tokio::time::timeout(RECHECK, rx.recv()) => r,
                    };
                    if checked.elapsed() >= RECHECK {
                        checked = Instant::now();
                        let invalid = state
                            .store
                            .invalid_credentials(
                                &fieldclinic_stores::accounts::Credentials::of(
                                    std::slice::from_ref(&who),
                                ),
                                fieldclinic_domain::clock::now_millis(),
                            )
                            .await;
                        // A store failure keeps the stream: the next check decides.
                        if invalid.is_ok_and(|i| !i.is_empty()) {
                            return None;
                        }
                    }
                    let chunk = match received {
                        Err(_) => {
                            quiet += 1;
                            if quiet < KEEPALIVE_EVERY {
                                continue;
                            }
                            Bytes::from_static(b": keepalive\n\n")
                        }
                        Ok(Ok(event)) if event.clinic_id == clinic => {
                            Bytes::from(format!("event: case\ndata: {}\n\n", event.doc))
                        }
                        Ok(Ok(_)) => continue,
                        // Missed events: the page refreshes everything it shows.
                        Ok(Err(broadcast::error::RecvError::Lagged(_))) => {
                            Bytes::from_static(b"event: resync\ndata: \n\n")
                        }
                        Ok(Err(broadcast::error::RecvError::Closed)) => return None,
                    };
                    quiet = 0;
                    return Some((Ok::<_, actix_web::Error>(chunk), (rx, quiet, checked)));
                }
            }
        },
    );
    HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(stream)
}
