use actix_web::{HttpRequest, HttpResponse, web};
use secrecy::ExposeSecret;

use super::{caller, rfc3339};
use crate::auth::{TokenKind, new_token};
use crate::error::ApiError;
use crate::state::{AppState, AppStore};
use fieldclinic_domain::clock::now_millis;
use fieldclinic_stores::accounts::TicketOwner;

/// A ticket opens sync connections for five minutes: long enough for the JS client's reconnects
/// after a drop (every 5 s), short enough that a leaked URL is soon useless. Connections opened
/// with it stay open after it expires.
const TICKET_MILLIS: i64 = 5 * 60 * 1000;

/// `POST /api/v1/sync-tickets`: `{"ticket", "expires_at"}` for `GET /sync?ticket=…`.
///
/// # Errors
/// 401 without a valid bearer token.
pub async fn create_ticket<S: AppStore>(
    req: HttpRequest,
    state: web::Data<AppState<S>>,
) -> Result<HttpResponse, ApiError> {
    let who = caller(&state.store, &req).await?;
    let (ticket, hash) = new_token(TokenKind::Ticket);
    let expires = now_millis() + TICKET_MILLIS;
    state
        .store
        .create_ticket(
            &hash,
            &TicketOwner {
                user_id: who.user_id,
                device_id: who.device_id,
                session: who.session,
            },
            expires,
        )
        .await
        .map_err(|e| anyhow::Error::new(e).context("Failed to store the ticket"))?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "ticket": ticket.expose_secret(),
        "expires_at": rfc3339(expires),
    })))
}
