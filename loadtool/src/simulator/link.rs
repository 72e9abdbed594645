use std::time::Duration;

use fieldclinic_sync::protocol::{self, Message, PROTOCOL_VERSION, PeerId, PeerMetadata};
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::{self, Message as WsMessage};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{Frame, ServerInfo, SimulatorError};

/// One WebSocket connection to a server's `GET /sync`, with typed and raw access. A [`Device`]
/// drives one; tests use it directly to send malformed frames and watch the server's answer.
///
/// [`Device`]: super::Device
#[derive(Debug)]
pub struct Link {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    ended: bool,
}

impl Link {
    /// Opens the WebSocket (no `join` yet).
    ///
    /// # Errors
    /// When the connection or the upgrade fails.
    pub async fn connect(url: &str) -> Result<Self, SimulatorError> {
        let (ws, _response) = tokio_tungstenite::connect_async(url).await?;
        Ok(Self { ws, ended: false })
    }

    /// Sends `join` and waits for the server's `peer`.
    ///
    /// # Errors
    /// When the server answers anything else, closes, or does not answer within `wait`.
    pub async fn join(
        &mut self,
        peer_id: &PeerId,
        peer_metadata: PeerMetadata,
        wait: Duration,
    ) -> Result<ServerInfo, SimulatorError> {
        self.send(&Message::Join {
            sender_id: peer_id.clone(),
            peer_metadata,
            supported_protocol_versions: vec![PROTOCOL_VERSION.to_owned()],
        })
        .await?;
        match self.next_message(wait).await? {
            Message::Peer {
                sender_id,
                peer_metadata,
                selected_protocol_version,
                ..
            } => Ok(ServerInfo {
                peer_id: sender_id,
                storage_id: peer_metadata.storage_id,
                protocol_version: selected_protocol_version,
            }),
            Message::Error { message, .. } => Err(SimulatorError::ServerError(message)),
            other => Err(SimulatorError::Unexpected(other.type_name().to_owned())),
        }
    }

    /// Sends one protocol message.
    ///
    /// # Errors
    /// When the connection is gone.
    pub async fn send(&mut self, message: &Message) -> Result<(), SimulatorError> {
        self.send_binary(protocol::encode(message)).await
    }

    /// Sends arbitrary bytes as one binary frame.
    ///
    /// # Errors
    /// When the connection is gone.
    pub async fn send_binary(&mut self, bytes: Vec<u8>) -> Result<(), SimulatorError> {
        self.ws.send(WsMessage::binary(bytes)).await?;
        Ok(())
    }

    /// Sends a text frame (a protocol violation, for tests).
    ///
    /// # Errors
    /// When the connection is gone.
    pub async fn send_text(&mut self, text: &str) -> Result<(), SimulatorError> {
        self.ws.send(WsMessage::text(text)).await?;
        Ok(())
    }

    /// The next binary, text or close frame, or `None` when nothing arrived within `wait`.
    /// Pings are answered by the WebSocket library and skipped. A connection the server reset
    /// counts as closed.
    ///
    /// # Errors
    /// On a transport failure other than the connection ending.
    pub async fn next_frame(&mut self, wait: Duration) -> Result<Option<Frame>, SimulatorError> {
        if self.ended {
            return Ok(Some(Frame::Closed));
        }
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let Ok(item) = tokio::time::timeout_at(deadline, self.ws.next()).await else {
                return Ok(None);
            };
            let frame = match item {
                None => Frame::Closed,
                Some(Ok(WsMessage::Binary(b))) => Frame::Binary(b.to_vec()),
                Some(Ok(WsMessage::Text(t))) => Frame::Text(t.as_str().to_owned()),
                Some(Ok(WsMessage::Close(_))) => Frame::Closed,
                Some(Ok(WsMessage::Ping(_) | WsMessage::Pong(_) | WsMessage::Frame(_))) => {
                    continue;
                }
                Some(Err(
                    tungstenite::Error::ConnectionClosed
                    | tungstenite::Error::AlreadyClosed
                    | tungstenite::Error::Io(_)
                    | tungstenite::Error::Protocol(
                        tungstenite::error::ProtocolError::ResetWithoutClosingHandshake,
                    ),
                )) => Frame::Closed,
                Some(Err(e)) => return Err(e.into()),
            };
            if frame == Frame::Closed {
                self.ended = true;
            }
            return Ok(Some(frame));
        }
    }

    /// The next protocol message.
    ///
    /// # Errors
    /// On timeout, close, a text frame or an undecodable frame.
    pub async fn next_message(&mut self, wait: Duration) -> Result<Message, SimulatorError> {
        match self.next_frame(wait).await? {
            None => Err(SimulatorError::Timeout {
                what: "a message from the server".to_owned(),
                waited: wait,
            }),
            Some(Frame::Closed) => Err(SimulatorError::Closed),
            Some(Frame::Text(_)) => Err(SimulatorError::TextFrame),
            Some(Frame::Binary(b)) => Ok(protocol::decode(&b)?),
        }
    }

    /// Whether the server has closed the connection (as far as this side has read).
    #[must_use]
    pub fn is_closed(&self) -> bool {
        self.ended
    }

    /// Closes the connection politely (a close frame), ignoring failures: the point is that it
    /// ends.
    pub async fn close(&mut self) {
        if !self.ended {
            let _ = self.ws.close(None).await;
            self.ended = true;
        }
    }
}
