/// Why an intake document could not be read or written.
///
/// Malformed field values are never errors (they read as absent and are reported by
/// [`validate_document`](crate::validate_document)); only the document itself failing is.
#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// Automerge refused a read or a write.
    #[error(transparent)]
    Automerge(#[from] automerge::AutomergeError),
    /// Reconciling a value into the document failed.
    #[error(transparent)]
    Reconcile(#[from] autosurgeon::ReconcileError),
}
