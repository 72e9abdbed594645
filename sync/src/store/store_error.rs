/// A storage failure.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The requested record does not exist.
    #[error("not found")]
    NotFound,
    /// The write conflicts with what is stored.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Anything else: connection, I/O, corrupt data.
    #[error("storage failure")]
    Other(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
}

impl StoreError {
    /// Wraps any error as [`StoreError::Other`].
    pub fn other<E: std::error::Error + Send + Sync + 'static>(e: E) -> Self {
        Self::Other(Box::new(e))
    }
}
