//! [`AccountStore`] for both backends. The SQL is portable (`$N` placeholders, `RETURNING`,
//! `ON CONFLICT`), so one text serves both; the only difference, how a write transaction
//! starts, is each store's `begin_write` (SQLite takes its write lock up front).

/// Implements `AccountStore` for a store with a `pool` and a `begin_write` method.
macro_rules! account_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use fieldclinic_schema::DocumentId;
            use fieldclinic_sync::StoreError;
            use sqlx::QueryBuilder;

            use crate::account_rows::{
                AuditRow, ChangeAuthorRow, ClinicRow, DeviceRow, DeviceUserRow, DocumentOwnerRow,
                TicketOwnerRow, UserIdRow, UserLoginRow, UserRow,
            };
            use crate::accounts::{
                AccountStore, AuditEntry, AuditQuery, ChangeAuthor, Clinic, ClinicId, Credentials, Device, DeviceId,
                DocumentOwner, NewAuditEntry, NewDevice, NewUser, TicketOwner, TokenHash, User, UserId,
            };
            use crate::columns::{AUDIT_PAGE_MAX, detail_to_text, normalize_email};
            use crate::sqlx_error::store_error;

            /// Credentials checked again per query, so a statement's bind count stays small.
            const CREDENTIALS_CHUNK: usize = 500;

            /// The IDs among `ids` that `head` (a query selecting an ID stored as text, ending
            /// in `IN (`) does not return.
            async fn not_returned<T: Copy + std::fmt::Display>(
                pool: &sqlx::Pool<$db>,
                head: &str,
                ids: &[T],
            ) -> Result<Vec<T>, StoreError> {
                let mut missing = Vec::new();
                for chunk in ids.chunks(CREDENTIALS_CHUNK) {
                    let mut q = QueryBuilder::<$db>::new(head);
                    let mut list = q.separated(", ");
                    for id in chunk {
                        list.push_bind(id.to_string());
                    }
                    q.push(")");
                    let returned: std::collections::HashSet<String> = q
                        .build_query_scalar()
                        .fetch_all(pool)
                        .await
                        .map_err(store_error)?
                        .into_iter()
                        .collect();
                    missing.extend(
                        chunk.iter().filter(|id| !returned.contains(&id.to_string())).copied(),
                    );
                }
                Ok(missing)
            }

            impl AccountStore for $store {
                #[tracing::instrument(skip_all)]
                async fn create_clinic(&self, name: &str, at_millis: i64) -> Result<Clinic, StoreError> {
                    let row = sqlx::query_as::<_, ClinicRow>(
                        "INSERT INTO clinics (id, name, created_at) VALUES ($1, $2, $3) \
                         RETURNING id, name, created_at",
                    )
                    .bind(ClinicId::random().to_string())
                    .bind(name)
                    .bind(at_millis)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(Clinic::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %id))]
                async fn clinic(&self, id: &ClinicId) -> Result<Clinic, StoreError> {
                    let row = sqlx::query_as::<_, ClinicRow>(
                        "SELECT id, name, created_at FROM clinics WHERE id = $1",
                    )
                    .bind(id.to_string())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(Clinic::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %user.clinic_id))]
                async fn create_user(&self, user: &NewUser) -> Result<User, StoreError> {
                    // A taken email fails the UNIQUE constraint, which `store_error` reports as `Conflict`.
                    let row = sqlx::query_as::<_, UserRow>(
                        "INSERT INTO users \
                           (id, clinic_id, email, role, password_hash, index_doc, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         RETURNING id, clinic_id, email, role, index_doc, created_at, disabled_at",
                    )
                    .bind(UserId::random().to_string())
                    .bind(user.clinic_id.to_string())
                    .bind(normalize_email(&user.email))
                    .bind(user.role.as_str())
                    .bind(user.password_hash.as_str())
                    .bind(user.index_doc.as_bytes().as_slice())
                    .bind(user.at_millis)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(User::try_from(row)?)
                }

                #[tracing::instrument(skip_all)]
                async fn user_by_email(&self, email: &str) -> Result<(User, String), StoreError> {
                    let row = sqlx::query_as::<_, UserLoginRow>(
                        "SELECT id, clinic_id, email, role, index_doc, created_at, disabled_at, password_hash \
                         FROM users WHERE email = $1",
                    )
                    .bind(normalize_email(email))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(<(User, String)>::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(user.id = %id))]
                async fn user(&self, id: &UserId) -> Result<User, StoreError> {
                    let row = sqlx::query_as::<_, UserRow>(
                        "SELECT id, clinic_id, email, role, index_doc, created_at, disabled_at \
                         FROM users WHERE id = $1",
                    )
                    .bind(id.to_string())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(User::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %clinic))]
                async fn clinic_users(&self, clinic: &ClinicId) -> Result<Vec<User>, StoreError> {
                    sqlx::query_as::<_, UserRow>(
                        "SELECT id, clinic_id, email, role, index_doc, created_at, disabled_at \
                         FROM users WHERE clinic_id = $1 ORDER BY email",
                    )
                    .bind(clinic.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_error)?
                    .into_iter()
                    .map(|row| User::try_from(row).map_err(StoreError::from))
                    .collect()
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %device.clinic_id, user.id = %device.user_id))]
                async fn create_device(&self, device: &NewDevice) -> Result<Device, StoreError> {
                    // The (user_id, clinic_id) foreign key refuses a device outside its user's clinic.
                    let row = sqlx::query_as::<_, DeviceRow>(
                        "INSERT INTO devices (id, clinic_id, user_id, name, token_hash, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) \
                         RETURNING id, clinic_id, user_id, name, created_at, revoked_at, last_seen_at",
                    )
                    .bind(DeviceId::random().to_string())
                    .bind(device.clinic_id.to_string())
                    .bind(device.user_id.to_string())
                    .bind(device.name.as_str())
                    .bind(device.token_hash.0.as_slice())
                    .bind(device.at_millis)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(Device::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(device.id = %id))]
                async fn revoke_device(&self, id: &DeviceId, at_millis: i64) -> Result<Device, StoreError> {
                    let row = sqlx::query_as::<_, DeviceRow>(
                        "UPDATE devices SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1 \
                         RETURNING id, clinic_id, user_id, name, created_at, revoked_at, last_seen_at",
                    )
                    .bind(id.to_string())
                    .bind(at_millis)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(Device::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(device.id = %id))]
                async fn device(&self, id: &DeviceId) -> Result<Device, StoreError> {
                    let row = sqlx::query_as::<_, DeviceRow>(
                        "SELECT id, clinic_id, user_id, name, created_at, revoked_at, last_seen_at \
                         FROM devices WHERE id = $1",
                    )
                    .bind(id.to_string())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(Device::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %clinic))]
                async fn clinic_devices(&self, clinic: &ClinicId) -> Result<Vec<Device>, StoreError> {
                    sqlx::query_as::<_, DeviceRow>(
                        "SELECT id, clinic_id, user_id, name, created_at, revoked_at, last_seen_at \
                         FROM devices WHERE clinic_id = $1 ORDER BY created_at, id",
                    )
                    .bind(clinic.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_error)?
                    .into_iter()
                    .map(|row| Device::try_from(row).map_err(StoreError::from))
                    .collect()
                }

                #[tracing::instrument(skip_all)]
                async fn device_by_token(&self, token: &TokenHash) -> Result<(Device, User), StoreError> {
                    let row = sqlx::query_as::<_, DeviceUserRow>(
                        "SELECT d.id, d.clinic_id, d.user_id, d.name, d.created_at, d.revoked_at, \
                           d.last_seen_at, u.clinic_id AS user_clinic_id, u.email AS user_email, \
                           u.role AS user_role, u.index_doc AS user_index_doc, \
                           u.created_at AS user_created_at, u.disabled_at AS user_disabled_at \
                         FROM devices d JOIN users u ON u.id = d.user_id \
                         WHERE d.token_hash = $1",
                    )
                    .bind(token.0.as_slice())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(<(Device, User)>::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(device.id = %id))]
                async fn touch_device(&self, id: &DeviceId, at_millis: i64) -> Result<(), StoreError> {
                    // Never moves backwards: connections handled out of order keep the latest time.
                    let done = sqlx::query(
                        "UPDATE devices SET last_seen_at = \
                           CASE WHEN last_seen_at IS NULL OR last_seen_at < $2 THEN $2 ELSE last_seen_at END \
                         WHERE id = $1",
                    )
                    .bind(id.to_string())
                    .bind(at_millis)
                    .execute(&self.pool)
                    .await
                    .map_err(store_error)?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                }

                #[tracing::instrument(skip_all, fields(user.id = %user))]
                async fn create_session(
                    &self,
                    token: &TokenHash,
                    user: &UserId,
                    created_at_millis: i64,
                    expires_at_millis: i64,
                ) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) \
                         VALUES ($1, $2, $3, $4)",
                    )
                    .bind(token.0.as_slice())
                    .bind(user.to_string())
                    .bind(created_at_millis)
                    .bind(expires_at_millis)
                    .execute(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(())
                }

                #[tracing::instrument(skip_all)]
                async fn session_user(&self, token: &TokenHash, now_millis: i64) -> Result<User, StoreError> {
                    let row = sqlx::query_as::<_, UserRow>(
                        "SELECT u.id, u.clinic_id, u.email, u.role, u.index_doc, u.created_at, u.disabled_at \
                         FROM sessions s JOIN users u ON u.id = s.user_id \
                         WHERE s.token_hash = $1 AND s.expires_at > $2",
                    )
                    .bind(token.0.as_slice())
                    .bind(now_millis)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(User::try_from(row)?)
                }

                #[tracing::instrument(skip_all)]
                async fn delete_session(&self, token: &TokenHash) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM sync_tickets WHERE session_hash = $1")
                        .bind(token.0.as_slice())
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                        .bind(token.0.as_slice())
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    tx.commit().await.map_err(store_error)?;
                    Ok(())
                }

                #[tracing::instrument(skip_all, fields(user.id = %owner.user_id))]
                async fn create_ticket(
                    &self,
                    ticket: &TokenHash,
                    owner: &TicketOwner,
                    expires_at_millis: i64,
                ) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO sync_tickets (ticket_hash, user_id, device_id, session_hash, expires_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(ticket.0.as_slice())
                    .bind(owner.user_id.to_string())
                    .bind(owner.device_id.map(|d| d.to_string()))
                    .bind(owner.session.map(|s| s.0.to_vec()))
                    .bind(expires_at_millis)
                    .execute(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(())
                }

                #[tracing::instrument(skip_all)]
                async fn ticket_owner(
                    &self,
                    ticket: &TokenHash,
                    now_millis: i64,
                ) -> Result<TicketOwner, StoreError> {
                    let row = sqlx::query_as::<_, TicketOwnerRow>(
                        "SELECT t.user_id, t.device_id, t.session_hash FROM sync_tickets t \
                         WHERE t.ticket_hash = $1 AND t.expires_at > $2 \
                           AND (t.session_hash IS NULL OR EXISTS ( \
                             SELECT 1 FROM sessions s \
                             WHERE s.token_hash = t.session_hash AND s.expires_at > $2))",
                    )
                    .bind(ticket.0.as_slice())
                    .bind(now_millis)
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(TicketOwner::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(devices = of.devices.len(), sessions = of.sessions.len()))]
                async fn invalid_credentials(
                    &self,
                    of: &Credentials,
                    now_millis: i64,
                ) -> Result<Credentials, StoreError> {
                    // Asked every second with every open connection's credentials: in bounded
                    // chunks, each one query that returns the ones still valid.
                    let mut invalid = Credentials {
                        devices: not_returned(
                            &self.pool,
                            "SELECT d.id FROM devices d JOIN users u ON u.id = d.user_id \
                             WHERE d.revoked_at IS NULL AND u.disabled_at IS NULL AND d.id IN (",
                            &of.devices,
                        )
                        .await?,
                        sessions: Vec::new(),
                        users: not_returned(
                            &self.pool,
                            "SELECT id FROM users WHERE disabled_at IS NULL AND id IN (",
                            &of.users,
                        )
                        .await?,
                    };
                    for chunk in of.sessions.chunks(CREDENTIALS_CHUNK) {
                        let mut q = QueryBuilder::<$db>::new(
                            "SELECT s.token_hash FROM sessions s JOIN users u ON u.id = s.user_id \
                             WHERE u.disabled_at IS NULL AND s.expires_at > ",
                        );
                        q.push_bind(now_millis);
                        q.push(" AND s.token_hash IN (");
                        let mut list = q.separated(", ");
                        for s in chunk {
                            list.push_bind(s.0.to_vec());
                        }
                        q.push(")");
                        let valid: std::collections::HashSet<Vec<u8>> = q
                            .build_query_scalar()
                            .fetch_all(&self.pool)
                            .await
                            .map_err(store_error)?
                            .into_iter()
                            .collect();
                        invalid.sessions.extend(
                            chunk.iter().filter(|s| !valid.contains(s.0.as_slice())).copied(),
                        );
                    }
                    Ok(invalid)
                }

                #[tracing::instrument(skip_all)]
                async fn purge_expired(&self, now_millis: i64) -> Result<u64, StoreError> {
                    let mut tx = self.begin_write().await?;
                    // The same boundary as the lookups: what they no longer accept is what goes.
                    let sessions = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                        .bind(now_millis)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    let tickets = sqlx::query("DELETE FROM sync_tickets WHERE expires_at <= $1")
                        .bind(now_millis)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    tx.commit().await.map_err(store_error)?;
                    Ok(sessions.rows_affected() + tickets.rows_affected())
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc))]
                async fn document_owner(&self, doc: &DocumentId) -> Result<Option<DocumentOwner>, StoreError> {
                    sqlx::query_as::<_, DocumentOwnerRow>(
                        "SELECT doc_id, clinic_id, kind, created_by_user, created_by_device, created_at \
                         FROM document_owners WHERE doc_id = $1",
                    )
                    .bind(doc.as_bytes().as_slice())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?
                    .map(|row| DocumentOwner::try_from(row).map_err(StoreError::from))
                    .transpose()
                }

                #[tracing::instrument(skip_all, fields(doc.id = %owner.doc, clinic.id = %owner.clinic_id))]
                async fn claim_document(&self, owner: &DocumentOwner) -> Result<DocumentOwner, StoreError> {
                    // First writer wins: a second claim, concurrent or not, is ignored by the primary key,
                    // and every claimant then reads the row that won.
                    sqlx::query(
                        "INSERT INTO document_owners \
                           (doc_id, clinic_id, kind, created_by_user, created_by_device, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (doc_id) DO NOTHING",
                    )
                    .bind(owner.doc.as_bytes().as_slice())
                    .bind(owner.clinic_id.to_string())
                    .bind(owner.kind.as_str())
                    .bind(owner.created_by_user.to_string())
                    .bind(owner.created_by_device.map(|d| d.to_string()))
                    .bind(owner.created_at_millis)
                    .execute(&self.pool)
                    .await
                    .map_err(store_error)?;
                    let row = sqlx::query_as::<_, DocumentOwnerRow>(
                        "SELECT doc_id, clinic_id, kind, created_by_user, created_by_device, created_at \
                         FROM document_owners WHERE doc_id = $1",
                    )
                    .bind(owner.doc.as_bytes().as_slice())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(DocumentOwner::try_from(row)?)
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc, user.id = %user))]
                async fn assign_document(
                    &self,
                    doc: &DocumentId,
                    user: &UserId,
                    at_millis: i64,
                ) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO document_assignments (doc_id, user_id, assigned_at) \
                         VALUES ($1, $2, $3) ON CONFLICT (doc_id, user_id) DO NOTHING",
                    )
                    .bind(doc.as_bytes().as_slice())
                    .bind(user.to_string())
                    .bind(at_millis)
                    .execute(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(())
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc, user.id = %user))]
                async fn is_assigned(&self, doc: &DocumentId, user: &UserId) -> Result<bool, StoreError> {
                    let row = sqlx::query_as::<_, UserIdRow>(
                        "SELECT user_id FROM document_assignments WHERE doc_id = $1 AND user_id = $2",
                    )
                    .bind(doc.as_bytes().as_slice())
                    .bind(user.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(row.is_some())
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc))]
                async fn assignees(&self, doc: &DocumentId) -> Result<Vec<UserId>, StoreError> {
                    sqlx::query_as::<_, UserIdRow>(
                        "SELECT user_id FROM document_assignments WHERE doc_id = $1 \
                         ORDER BY assigned_at, user_id",
                    )
                    .bind(doc.as_bytes().as_slice())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_error)?
                    .into_iter()
                    .map(|row| UserId::try_from(row).map_err(StoreError::from))
                    .collect()
                }

                #[tracing::instrument(skip_all, fields(entry.count = entries.len()))]
                async fn append_audit(&self, entries: &[NewAuditEntry]) -> Result<(), StoreError> {
                    if entries.is_empty() {
                        return Ok(());
                    }
                    let mut tx = self.begin_write().await?;
                    for e in entries {
                        sqlx::query(
                            "INSERT INTO audit_log \
                               (at, clinic_id, actor_kind, actor_id, doc_id, action, detail, remote_addr) \
                             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                        )
                        .bind(e.at_millis)
                        .bind(e.clinic_id.map(|c| c.to_string()))
                        .bind(e.actor_kind.as_str())
                        .bind(e.actor_id.as_str())
                        .bind(e.doc.map(|d| d.as_bytes().to_vec()))
                        .bind(e.action.as_str())
                        .bind(detail_to_text(&e.detail))
                        .bind(e.remote_addr.as_deref())
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    }
                    tx.commit().await.map_err(store_error)
                }

                #[tracing::instrument(skip_all, fields(page.limit = query.limit))]
                async fn query_audit(&self, query: &AuditQuery) -> Result<Vec<AuditEntry>, StoreError> {
                    let limit = query.limit.min(AUDIT_PAGE_MAX);
                    if limit == 0 {
                        return Ok(Vec::new());
                    }
                    // Only the filters given reach the SQL, so the database can pick the (clinic_id, id) or
                    // (doc_id, id) index; values are always bound, never spliced.
                    let mut sql = QueryBuilder::<$db>::new(
                        "SELECT id, at, clinic_id, actor_kind, actor_id, doc_id, action, detail, remote_addr \
                         FROM audit_log WHERE 1 = 1",
                    );
                    if let Some(clinic) = &query.clinic_id {
                        sql.push(" AND clinic_id = ").push_bind(clinic.to_string());
                    }
                    if let Some(doc) = &query.doc {
                        sql.push(" AND doc_id = ")
                            .push_bind(doc.as_bytes().to_vec());
                    }
                    if let Some(actor) = &query.actor_id {
                        sql.push(" AND actor_id = ").push_bind(actor.clone());
                    }
                    if let Some(since) = query.since_millis {
                        sql.push(" AND at >= ").push_bind(since);
                    }
                    if let Some(before) = query.before_id {
                        sql.push(" AND id < ").push_bind(before);
                    }
                    sql.push(" ORDER BY id DESC LIMIT ")
                        .push_bind(i64::from(limit));
                    sql.build_query_as::<AuditRow>()
                        .fetch_all(&self.pool)
                        .await
                        .map_err(store_error)?
                        .into_iter()
                        .map(|row| AuditEntry::try_from(row).map_err(StoreError::from))
                        .collect()
                }

                #[tracing::instrument(skip_all, fields(change.count = authors.len()))]
                async fn record_change_authors(&self, authors: &[ChangeAuthor]) -> Result<(), StoreError> {
                    if authors.is_empty() {
                        return Ok(());
                    }
                    let mut tx = self.begin_write().await?;
                    for a in authors {
                        // The same change arrives again from another peer or a retried batch; its first
                        // sender is its author.
                        sqlx::query(
                            "INSERT INTO change_authors \
                               (doc_id, change_hash, actor_id, device_id, user_id, at) \
                             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (doc_id, change_hash) DO NOTHING",
                        )
                        .bind(a.doc.as_bytes().as_slice())
                        .bind(a.change_hash.as_str())
                        .bind(a.actor_id.as_str())
                        .bind(a.device_id.map(|d| d.to_string()))
                        .bind(a.user_id.map(|u| u.to_string()))
                        .bind(a.at_millis)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    }
                    tx.commit().await.map_err(store_error)
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc))]
                async fn change_authors(&self, doc: &DocumentId) -> Result<Vec<ChangeAuthor>, StoreError> {
                    sqlx::query_as::<_, ChangeAuthorRow>(
                        "SELECT doc_id, change_hash, actor_id, device_id, user_id, at \
                         FROM change_authors WHERE doc_id = $1 ORDER BY at, change_hash",
                    )
                    .bind(doc.as_bytes().as_slice())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_error)?
                    .into_iter()
                    .map(|row| ChangeAuthor::try_from(row).map_err(StoreError::from))
                    .collect()
                }
            }

            #[cfg(feature = "test-support")]
            impl $store {
                /// Runs `sql` as written, for tests that check what the schema itself refuses.
                ///
                /// # Errors
                /// What the database answers.
                pub async fn execute_unchecked(&self, sql: &'static str) -> Result<u64, sqlx::Error> {
                    Ok(sqlx::query(sql).execute(&self.pool).await?.rows_affected())
                }
            }
        };
    };
}

pub(super) use account_store;
