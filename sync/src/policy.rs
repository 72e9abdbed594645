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

/// What is known of the document a peer asks about, and what the peer is doing. The sync
/// session decides access before any document is loaded, so it cannot tell whether the store
/// holds the document: it passes `Unknown` for a `request` and `Creating` for a `sync`, and the
/// policy looks the document up itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The store holds the document.
    Stored,
    /// Maybe unknown to the store; the peer asks for it (`request`).
    Unknown,
    /// Maybe unknown to the store; the peer pushes it (`sync`), i.e. may want to create it.
    Creating,
}

/// Changes one peer sent that were merged, for attribution and the audit trail.
#[derive(Debug, Clone)]
pub struct Accepted<I> {
    /// Who sent them.
    pub who: I,
    /// Each new change's hash and Automerge actor.
    pub changes: Vec<(automerge::ChangeHash, automerge::ActorId)>,
}

/// The server's decisions about documents: who may open them, and what the server writes after
/// a merge. The sync engine asks; the server (with its accounts and rules) answers.
pub trait DocumentPolicy: Send + Sync + 'static {
    /// Who is on the other end of a connection, as established by the transport's
    /// authentication.
    type Identity: Clone + PartialEq + Send + Sync + fmt::Debug + 'static;

    /// What the server derived from a merged document in [`DocumentPolicy::after_merge`] and
    /// hands on to [`DocumentPolicy::after_commit`], so a document is read once per commit.
    type View: Send + 'static;

    /// The access `who` has to `doc`. `presence` tells whether the store holds the document and
    /// whether the peer is creating it, so a policy can record ownership at creation.
    fn access(
        &self,
        who: &Self::Identity,
        doc: &DocumentId,
        presence: Presence,
    ) -> impl Future<Output = Result<Access, StoreError>> + Send;

    /// Whether the credential `who` connected with is still good (not revoked, not signed out,
    /// not expired). Asked at `join`, since a socket may wait between its upgrade and its join.
    fn still_valid(
        &self,
        who: &Self::Identity,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Checks the changes a peer sent before they are merged; `Err` refuses them all and the peer
    /// gets an `error`. `incoming` is a fork of the document with the peer's changes applied (it
    /// becomes the document if they are accepted, so they are applied once), and `before` the
    /// heads before them. Runs on a blocking thread.
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
    /// which are persisted in the same write and synced back in the same round. What it returns
    /// reaches [`DocumentPolicy::after_commit`] once the write commits.
    fn after_merge(&self, doc_id: &DocumentId, doc: &mut AutoCommit) -> Option<Self::View>;

    /// Runs on a blocking thread after a write that changed a document has been committed, with
    /// what `after_merge` derived (`None` when it did not run or derived nothing) and the peers'
    /// changes the write contained: attribution, audit, projections, webhooks. Must not block
    /// for long; queue heavy work elsewhere.
    fn after_commit(
        &self,
        doc_id: &DocumentId,
        doc: &mut AutoCommit,
        view: Option<Self::View>,
        accepted: &[Accepted<Self::Identity>],
    );
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
    type View = ();

    async fn access(&self, _: &(), _: &DocumentId, _: Presence) -> Result<Access, StoreError> {
        Ok(Access::ReadWrite)
    }

    async fn still_valid(&self, _: &()) -> Result<bool, StoreError> {
        Ok(true)
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

    fn after_merge(&self, _: &DocumentId, _: &mut AutoCommit) -> Option<()> {
        None
    }

    fn after_commit(&self, _: &DocumentId, _: &mut AutoCommit, _: Option<()>, _: &[Accepted<()>]) {}
}
