//! Clinics, users, devices, sessions, sync tickets, document ownership and the audit log: the
//! server-only use cases of issue 5, implemented by both `SqliteStore` and `PostgresStore`.
//!
//! Secrets never reach this layer: tokens arrive as SHA-256 hashes ([`TokenHash`]) and passwords
//! as argon2id PHC strings.
//!
//! Conventions shared by every method and both backends:
//! - Times are milliseconds since the Unix epoch. A session or ticket is valid while
//!   `now < expires_at`: at its expiry instant it is already expired (and purgeable).
//! - A write naming a clinic, user, device or document that does not exist (a foreign key the
//!   schema enforces) fails with `NotFound`, like a read of a missing row.
//! - Writes touching several rows are one transaction.

mod types;

use std::future::Future;

use fieldclinic_schema::DocumentId;
use fieldclinic_sync::StoreError;

pub use types::{
    AuditEntry, AuditQuery, ChangeAuthor, Clinic, ClinicId, Credentials, Device, DeviceId,
    DocumentOwner, NewAuditEntry, NewDevice, NewUser, OwnedKind, Role, TicketOwner, TokenHash,
    User, UserId,
};

/// Accounts, access and audit storage.
pub trait AccountStore: Clone + Send + Sync + 'static {
    /// Creates a clinic.
    fn create_clinic(
        &self,
        name: &str,
        at_millis: i64,
    ) -> impl Future<Output = Result<Clinic, StoreError>> + Send;

    /// A clinic by ID; `NotFound` if unknown.
    fn clinic(&self, id: &ClinicId) -> impl Future<Output = Result<Clinic, StoreError>> + Send;

    /// Creates a user; `Conflict` when the email (compared lower-cased) is taken (or, in
    /// theory, the index document is another user's); `NotFound` if the clinic is unknown.
    fn create_user(&self, user: &NewUser) -> impl Future<Output = Result<User, StoreError>> + Send;

    /// A user and their argon2id password hash, by email (case-insensitive); `NotFound` if unknown.
    fn user_by_email(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<(User, String), StoreError>> + Send;

    /// A user by ID; `NotFound` if unknown.
    fn user(&self, id: &UserId) -> impl Future<Output = Result<User, StoreError>> + Send;

    /// The users of a clinic, by email.
    fn clinic_users(
        &self,
        clinic: &ClinicId,
    ) -> impl Future<Output = Result<Vec<User>, StoreError>> + Send;

    /// Enrolls a device for a user. `NotFound` if the user is unknown or not in
    /// `device.clinic_id`; `Conflict` if another device has the same token hash.
    fn create_device(
        &self,
        device: &NewDevice,
    ) -> impl Future<Output = Result<Device, StoreError>> + Send;

    /// Marks a device revoked (idempotent: an already revoked device keeps its first revocation
    /// time); `NotFound` if unknown.
    fn revoke_device(
        &self,
        id: &DeviceId,
        at_millis: i64,
    ) -> impl Future<Output = Result<Device, StoreError>> + Send;

    /// A device by ID; `NotFound` if unknown.
    fn device(&self, id: &DeviceId) -> impl Future<Output = Result<Device, StoreError>> + Send;

    /// The devices of a clinic.
    fn clinic_devices(
        &self,
        clinic: &ClinicId,
    ) -> impl Future<Output = Result<Vec<Device>, StoreError>> + Send;

    /// The device holding a token, with its user (revoked devices and disabled users included:
    /// the caller decides); `NotFound` if no device has this token.
    fn device_by_token(
        &self,
        token: &TokenHash,
    ) -> impl Future<Output = Result<(Device, User), StoreError>> + Send;

    /// Records that a device connected; the time never moves backwards. `NotFound` if unknown.
    fn touch_device(
        &self,
        id: &DeviceId,
        at_millis: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a session token for a user; `NotFound` if the user is unknown.
    fn create_session(
        &self,
        token: &TokenHash,
        user: &UserId,
        created_at_millis: i64,
        expires_at_millis: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The user of a session that has not expired at `now_millis`; `NotFound` otherwise.
    fn session_user(
        &self,
        token: &TokenHash,
        now_millis: i64,
    ) -> impl Future<Output = Result<User, StoreError>> + Send;

    /// Ends a session and the tickets it asked for (idempotent).
    fn delete_session(
        &self,
        token: &TokenHash,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Stores a sync ticket; `NotFound` if its user or device is unknown.
    fn create_ticket(
        &self,
        ticket: &TokenHash,
        owner: &TicketOwner,
        expires_at_millis: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Who a ticket that has not expired at `now_millis` belongs to; `NotFound` otherwise.
    fn ticket_owner(
        &self,
        ticket: &TokenHash,
        now_millis: i64,
    ) -> impl Future<Output = Result<TicketOwner, StoreError>> + Send;

    /// Which of `of` are no longer valid at `now_millis`: devices revoked (or of a disabled
    /// user), sessions ended, expired (or of a disabled user), users disabled. Unknown ones count
    /// as invalid.
    fn invalid_credentials(
        &self,
        of: &Credentials,
        now_millis: i64,
    ) -> impl Future<Output = Result<Credentials, StoreError>> + Send;

    /// Deletes sessions and tickets expired at `now_millis` (`expires_at <= now_millis`, the
    /// rows [`AccountStore::session_user`] and [`AccountStore::ticket_owner`] no longer accept);
    /// returns how many.
    fn purge_expired(
        &self,
        now_millis: i64,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// Who owns a document, if anyone.
    fn document_owner(
        &self,
        doc: &DocumentId,
    ) -> impl Future<Output = Result<Option<DocumentOwner>, StoreError>> + Send;

    /// Records `owner` unless the document already has one (first writer wins, atomically), and
    /// returns the owner now stored. The document need not be stored yet: ownership is claimed
    /// before its first write commits. `NotFound` if the clinic, user or device is unknown.
    fn claim_document(
        &self,
        owner: &DocumentOwner,
    ) -> impl Future<Output = Result<DocumentOwner, StoreError>> + Send;

    /// Assigns a document to a user (idempotent: the first assignment time is kept). `NotFound`
    /// if the document has no owner or the user is unknown.
    fn assign_document(
        &self,
        doc: &DocumentId,
        user: &UserId,
        at_millis: i64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether a document is assigned to a user.
    fn is_assigned(
        &self,
        doc: &DocumentId,
        user: &UserId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// The users a document is assigned to, first assigned first.
    fn assignees(
        &self,
        doc: &DocumentId,
    ) -> impl Future<Output = Result<Vec<UserId>, StoreError>> + Send;

    /// Appends audit entries (one transaction). The log is append-only: nothing updates or
    /// deletes entries.
    fn append_audit(
        &self,
        entries: &[NewAuditEntry],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Audit entries matching every filter of `query`, newest (highest `id`) first, at most
    /// `min(query.limit, 1000)` of them (none for a limit of 0).
    fn query_audit(
        &self,
        query: &AuditQuery,
    ) -> impl Future<Output = Result<Vec<AuditEntry>, StoreError>> + Send;

    /// Ties Automerge changes (by hash) and their actors to the device and user that sent them
    /// (idempotent per document and change hash).
    fn record_change_authors(
        &self,
        authors: &[ChangeAuthor],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The recorded authors of a document's changes, oldest first.
    fn change_authors(
        &self,
        doc: &DocumentId,
    ) -> impl Future<Output = Result<Vec<ChangeAuthor>, StoreError>> + Send;
}
