/// One thing received on a WebSocket, as a test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A binary frame: one protocol message, if the server is well-behaved.
    Binary(Vec<u8>),
    /// A text frame (the protocol never uses these).
    Text(String),
    /// A close frame, or the end of the stream.
    Closed,
}
