use std::time::Duration;

use fieldclinic_schema::{DocumentId, IntakeError};
use fieldclinic_sync::protocol::{BadPeerId, DecodeError};
use tokio_tungstenite::tungstenite;

/// Why a simulated device could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    /// The WebSocket failed (connect, send or receive).
    #[error("websocket failed")]
    Transport(#[source] Box<tungstenite::Error>),
    /// The server closed the connection.
    #[error("the server closed the connection")]
    Closed,
    /// The server sent an `error` message (it closes the connection next).
    #[error("the server sent error: {0}")]
    ServerError(String),
    /// The server sent a frame that is not a protocol message.
    #[error("the server sent an undecodable frame")]
    Decode(#[from] DecodeError),
    /// The server sent a text frame, which the protocol never uses.
    #[error("the server sent a text frame")]
    TextFrame,
    /// The server sent a message the protocol does not allow at this point.
    #[error("unexpected {0} message")]
    Unexpected(String),
    /// The server's sync message does not decode or does not apply.
    #[error("the server's sync message for {0} is invalid")]
    BadSyncMessage(DocumentId),
    /// Nothing (or not enough) arrived in time.
    #[error("timed out after {waited:?} waiting for {what}")]
    Timeout {
        /// What was awaited.
        what: String,
        /// How long.
        waited: Duration,
    },
    /// The device has no connection.
    #[error("not connected")]
    NotConnected,
    /// The device does not hold this document.
    #[error("unknown document {0}")]
    UnknownDocument(DocumentId),
    /// The server answered `doc-unavailable` to a document being pushed.
    #[error("the server refused document {0}")]
    Unavailable(DocumentId),
    /// A peer ID given to the simulator is invalid.
    #[error(transparent)]
    BadPeerId(#[from] BadPeerId),
    /// Reading or writing the intake failed.
    #[error("reading or writing the intake failed")]
    Intake(#[source] Box<IntakeError>),
    /// A local edit failed.
    #[error("local edit failed: {0}")]
    Local(String),
}

impl From<tungstenite::Error> for SimulatorError {
    fn from(e: tungstenite::Error) -> Self {
        Self::Transport(Box::new(e))
    }
}

impl From<IntakeError> for SimulatorError {
    fn from(e: IntakeError) -> Self {
        Self::Intake(Box::new(e))
    }
}
