use std::fmt;
use std::future::Future;

use automerge::AutoCommit;
use fieldclinic_schema::DocumentId;

use crate::StoreError;

/// What an identity may do with a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Nothing: answered with `doc-unavailable`, exactly like an unknown document.
    None,
    /// Receive the document; the peer's changes are not applied.
    ReadOnly,
    /// Receive and change the document (and create it, if it does not exist yet).
    ReadWrite,
}

/// The server's decisions about documents: who may open them, and what the server writes after
/// a merge. The sync engine asks; the server (with its accounts and rules) answers.
pub trait DocumentPolicy: Send + Sync + 'static {
    /// Who is on the other end of a connection, as established by the transport's
    /// authentication.
    type Identity: Clone + PartialEq + Send + Sync + fmt::Debug + 'static;

    /// The access `who` has to `doc`. `exists` tells whether the store holds the document, so a
    /// policy can allow creation separately from reading.
    fn access(
        &self,
        who: &Self::Identity,
        doc: &DocumentId,
        exists: bool,
    ) -> impl Future<Output = Result<Access, StoreError>> + Send;

    /// Checks the changes a peer sent before they are merged; `Err` refuses them all and the peer
    /// gets an `error`. `incoming` is a fork of the document with the peer's changes applied, and
    /// `before` the heads before them. Runs on a blocking thread.
    ///
    /// # Errors
    /// With the reason for refusing, for the log and the audit trail.
    fn check_incoming(
        &self,
        who: &Self::Identity,
        doc_id: &DocumentId,
        incoming: &mut AutoCommit,
        before: &[automerge::ChangeHash],
    ) -> Result<(), Refusal>;

    /// Runs on a blocking thread after changes were merged (from a peer or another server
    /// instance) and before they are persisted; the server may write its own changes into `doc`,
    /// which are persisted in the same write and synced back in the same round.
    fn after_merge(&self, doc_id: &DocumentId, doc: &mut AutoCommit);

    /// Runs after a write that changed a document has been committed: projections, webhooks,
    /// notifications. Must not block for long; queue heavy work elsewhere.
    fn after_commit(&self, doc_id: &DocumentId, doc: &mut AutoCommit);
}

/// Why a peer's changes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

/// A policy that lets everyone read, write and create every document and writes nothing: for
/// tests of the protocol and for a single trusted device.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenPolicy;

impl DocumentPolicy for OpenPolicy {
    type Identity = ();

    async fn access(&self, _: &(), _: &DocumentId, _: bool) -> Result<Access, StoreError> {
        Ok(Access::ReadWrite)
    }

    fn check_incoming(
        &self,
        _: &(),
        _: &DocumentId,
        _: &mut AutoCommit,
        _: &[automerge::ChangeHash],
    ) -> Result<(), Refusal> {
        Ok(())
    }

    fn after_merge(&self, _: &DocumentId, _: &mut AutoCommit) {}

    fn after_commit(&self, _: &DocumentId, _: &mut AutoCommit) {}
}
