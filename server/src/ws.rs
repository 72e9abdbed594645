//! The sync socket, `GET /sync`: the automerge-repo WebSocket transport over actix-ws.
//!
//! actix-ws's `MessageStream` is not `Send`, so each connection runs on its actix worker as two
//! local tasks: a reader feeding the protocol session, and a writer draining its outbox (so a
//! reader waiting on back-pressure never stops replies from leaving).

use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use actix_ws::{AggregatedMessage, CloseCode, CloseReason, ProtocolError};
use fieldclinic_sync::{DocumentPolicy, Flow, Outbound, PeerSession, Store};
use futures_util::StreamExt;

use crate::auth::authenticate_request;
use crate::error::ApiError;
use crate::state::{AppState, AppStore};
use fieldclinic_domain::clock::now_millis;

/// Browsers and Node's `ws` answer pings automatically; a peer not heard from for
/// `SILENT_FOR` is gone (a phone that lost signal) and its connection is closed. Any frame counts,
/// not only pongs: a device working through a backlog of our messages answers a ping only when
/// it reaches it, which under a clinic day's load can take longer than the timeout, while the
/// sync replies it sends meanwhile prove it is there. Closing it would make the JS client give up
/// every document it was still asking for (with no peer left, it declares them unavailable).
const PING_EVERY: Duration = Duration::from_secs(10);
const SILENT_FOR: Duration = Duration::from_secs(30);

/// Upgrades to a WebSocket and starts the session.
///
/// # Errors
/// When the request is not a valid WebSocket upgrade.
pub async fn sync_socket<S: AppStore>(
    req: HttpRequest,
    body: web::Payload,
    state: web::Data<AppState<S>>,
) -> Result<HttpResponse, actix_web::Error> {
    // Authenticate before the upgrade: the protocol itself has no credentials.
    let identity = authenticate_request(&state.store, &req, true, now_millis())
        .await
        .map_err(ApiError::from)?;
    if let Some(device) = identity.device_id
        && let Err(e) = &state.store.touch_device(&device, now_millis()).await
    {
        tracing::warn!(error.message = %e, "failed to record the device's last connection");
    }
    let (response, ws, stream) = actix_ws::handle(&req, body)?;
    let stream = stream
        .max_frame_size(state.sync_limits.max_message_bytes)
        .aggregate_continuations()
        .max_continuation_size(state.sync_limits.max_message_bytes);
    let (session, outbound) = PeerSession::new(state.hub.clone(), identity);
    let last_heard = Rc::new(Cell::new(Instant::now()));
    let closed = outbound.closed.clone();
    actix_web::rt::spawn(write_loop(ws.clone(), outbound, Rc::clone(&last_heard)));
    actix_web::rt::spawn(read_loop(session, stream, ws, last_heard, closed));
    Ok(response)
}

async fn read_loop<S: Store, P: DocumentPolicy>(
    mut session: PeerSession<S, P>,
    mut stream: actix_ws::AggregatedMessageStream,
    mut ws: actix_ws::Session,
    last_heard: Rc<Cell<Instant>>,
    closed: tokio_util::sync::CancellationToken,
) {
    // A socket that authenticated but never joins holds a credential nobody re-checks and a
    // slot on the server: it gets a short while, then it is closed.
    let join_deadline = tokio::time::sleep(session.join_within());
    tokio::pin!(join_deadline);
    loop {
        let item = tokio::select! {
            item = stream.next() => item,
            () = closed.cancelled() => break,
            () = &mut join_deadline, if !session.joined() => {
                tracing::info!("socket did not join in time");
                session.fail("expected join");
                break;
            }
        };
        let Some(item) = item else { break };
        last_heard.set(Instant::now());
        let flow = match item {
            Ok(AggregatedMessage::Binary(bytes)) => session.receive_binary(&bytes).await,
            Ok(AggregatedMessage::Text(_)) => session.receive_text(),
            Ok(AggregatedMessage::Ping(bytes)) => {
                if ws.pong(&bytes).await.is_err() {
                    Flow::Close
                } else {
                    Flow::Continue
                }
            }
            Ok(AggregatedMessage::Pong(_)) => Flow::Continue,
            Ok(AggregatedMessage::Close(_)) => Flow::Close,
            Err(ProtocolError::Overflow) => session.fail("message too large"),
            Err(e) => {
                tracing::debug!(error.message = %e, "websocket protocol error");
                session.fail("malformed message")
            }
        };
        if flow == Flow::Close {
            break;
        }
    }
    session.finish();
}

async fn write_loop(
    mut ws: actix_ws::Session,
    mut outbound: Outbound,
    last_heard: Rc<Cell<Instant>>,
) {
    let mut ping = actix_web::rt::time::interval(PING_EVERY);
    let reason = loop {
        tokio::select! {
            biased;
            frame = outbound.frames.recv() => match frame {
                Some(bytes) => {
                    if ws.binary(bytes).await.is_err() {
                        return;
                    }
                }
                None => break CloseCode::Normal,
            },
            () = outbound.closed.cancelled() => {
                // Flush what the session queued (an `error` message, say) before closing.
                while let Ok(bytes) = outbound.frames.try_recv() {
                    if ws.binary(bytes).await.is_err() {
                        return;
                    }
                }
                break CloseCode::Normal;
            }
            _ = ping.tick() => {
                if last_heard.get().elapsed() > SILENT_FOR {
                    tracing::info!("peer silent too long, closing");
                    break CloseCode::Away;
                }
                if ws.ping(b"").await.is_err() {
                    return;
                }
            }
        }
    };
    outbound.closed.cancel();
    let _ = ws
        .close(Some(CloseReason {
            code: reason,
            description: None,
        }))
        .await;
}
