//! [`CaseStore`](crate::cases::CaseStore) for both backends, with the same portable SQL
//! as the account store (see `account_sql.rs`): `$N` placeholders or `QueryBuilder` binds,
//! `ON CONFLICT`, and each store's `begin_write`.

/// Implements `CaseStore` for a store with a `pool` and a `begin_write` method.
macro_rules! case_store {
    ($store:ty, $db:ty) => {
        const _: () = {
            use fieldclinic_schema::DocumentId;
            use fieldclinic_sync::StoreError;
            use sqlx::QueryBuilder;

            use crate::accounts::{ClinicId, UserId};
            use crate::case_rows::{CASE_COLUMNS, CaseRowData, DUPLICATE_COLUMNS, DuplicateRow};
            use crate::cases::{
                CASE_PAGE_MAX, CaseCounts, CasePage, CaseProjection, CaseQuery, CaseRecord,
                CaseSort, CaseStore, DetectedDuplicate, DuplicateCandidate, DuplicateStatus,
                ReevaluationProgress, ordered_pair,
            };
            use crate::columns::{count, heads_to_text};
            use crate::sqlx_error::store_error;

            /// Appends the WHERE clause of a caseload query.
            fn push_filters(qb: &mut QueryBuilder<$db>, q: &CaseQuery) {
                qb.push(" WHERE clinic_id = ").push_bind(q.clinic_id.to_string());
                match q.outcome.as_deref() {
                    Some("none") => {
                        qb.push(" AND outcome IS NULL");
                    }
                    Some(outcome) => {
                        qb.push(" AND outcome = ").push_bind(outcome.to_owned());
                    }
                    None => {}
                }
                if let Some(state) = &q.review_state {
                    qb.push(" AND review_state = ").push_bind(state.clone());
                }
                match q.has_conflicts {
                    Some(true) => {
                        qb.push(" AND open_conflicts > 0");
                    }
                    Some(false) => {
                        qb.push(" AND open_conflicts = 0");
                    }
                    None => {}
                }
                if let Some(user) = &q.volunteer {
                    qb.push(" AND created_by_user = ").push_bind(user.to_string());
                }
                if let Some(since) = q.updated_since_millis {
                    qb.push(" AND updated_at >= ").push_bind(since);
                }
                if let Some(name) = q.name.as_deref().filter(|n| !n.is_empty()) {
                    // The search text is normalised like the column, so only LIKE's own
                    // wildcards need escaping.
                    let escaped = name.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
                    qb.push(" AND name_search LIKE ")
                        .push_bind(format!("%{escaped}%"))
                        .push(" ESCAPE '\\'");
                }
            }

            impl CaseStore for $store {
                #[tracing::instrument(skip_all, fields(rows = rows.len()))]
                async fn project_cases(&self, rows: &[CaseProjection]) -> Result<(), StoreError> {
                    if rows.is_empty() {
                        return Ok(());
                    }
                    let mut tx = self.begin_write().await?;
                    for row in rows {
                        // The clinic and creator come from the ownership row, so a projection
                        // can never move an intake to another clinic.
                        let written = sqlx::query(
                            "INSERT INTO cases (doc_id, clinic_id, created_by_user, legal_name, \
                               other_names, name_search, date_of_birth, outcome, provisional, \
                               open_conflicts, review_state, offense_count, missing_required, \
                               person_keys, heads, updated_at) \
                             SELECT doc_id, clinic_id, created_by_user, $2, $3, $4, $5, $6, $7, \
                               $8, $9, $10, $11, $12, $13, $14 \
                             FROM document_owners WHERE doc_id = $1 AND kind = 'intake' \
                             ON CONFLICT (doc_id) DO UPDATE SET \
                               legal_name = excluded.legal_name, \
                               other_names = excluded.other_names, \
                               name_search = excluded.name_search, \
                               date_of_birth = excluded.date_of_birth, \
                               outcome = excluded.outcome, \
                               provisional = excluded.provisional, \
                               open_conflicts = excluded.open_conflicts, \
                               review_state = excluded.review_state, \
                               offense_count = excluded.offense_count, \
                               missing_required = excluded.missing_required, \
                               person_keys = excluded.person_keys, \
                               heads = excluded.heads, \
                               updated_at = excluded.updated_at \
                             WHERE cases.updated_at <= excluded.updated_at",
                        )
                        .bind(row.doc.as_bytes().as_slice())
                        .bind(row.legal_name.as_deref())
                        .bind(serde_json::to_string(&row.other_names).unwrap_or_else(|_| "[]".into()))
                        .bind(row.name_search.as_str())
                        .bind(row.date_of_birth.as_deref())
                        .bind(row.outcome.as_deref())
                        .bind(row.provisional)
                        .bind(i64::from(row.open_conflicts))
                        .bind(row.review_state.as_str())
                        .bind(i64::from(row.offense_count))
                        .bind(i64::from(row.missing_required))
                        .bind(row.person_keys.to_string())
                        .bind(heads_to_text(&row.heads))
                        .bind(row.updated_at_millis)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                        if written.rows_affected() == 0 {
                            continue;
                        }
                        sqlx::query("DELETE FROM case_identifiers WHERE doc_id = $1")
                            .bind(row.doc.as_bytes().as_slice())
                            .execute(&mut *tx)
                            .await
                            .map_err(store_error)?;
                        if row.identifiers.is_empty() {
                            continue;
                        }
                        let mut qb = QueryBuilder::<$db>::new(
                            "INSERT INTO case_identifiers (doc_id, clinic_id, kind, value) ",
                        );
                        qb.push_values(&row.identifiers, |mut b, (kind, value)| {
                            b.push_bind(row.doc.as_bytes().as_slice())
                                .push("(SELECT clinic_id FROM document_owners WHERE doc_id = ")
                                .push_bind_unseparated(row.doc.as_bytes().as_slice())
                                .push_unseparated(")")
                                .push_bind(kind.as_str())
                                .push_bind(value.as_str());
                        });
                        qb.push(" ON CONFLICT DO NOTHING");
                        qb.build().execute(&mut *tx).await.map_err(store_error)?;
                    }
                    tx.commit().await.map_err(store_error)
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc))]
                async fn case(&self, doc: &DocumentId) -> Result<Option<CaseRecord>, StoreError> {
                    let row = sqlx::query_as::<_, CaseRowData>(sqlx::AssertSqlSafe(format!(
                        "SELECT {CASE_COLUMNS} FROM cases WHERE doc_id = $1"
                    )))
                    .bind(doc.as_bytes().as_slice())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(row.map(CaseRecord::try_from).transpose()?)
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %query.clinic_id))]
                async fn list_cases(&self, query: &CaseQuery) -> Result<CasePage, StoreError> {
                    let mut qb = QueryBuilder::<$db>::new("SELECT COUNT(*) FROM cases");
                    push_filters(&mut qb, query);
                    let (total,): (i64,) = qb
                        .build_query_as()
                        .fetch_one(&self.pool)
                        .await
                        .map_err(store_error)?;
                    let mut qb = QueryBuilder::<$db>::new(format!("SELECT {CASE_COLUMNS} FROM cases"));
                    push_filters(&mut qb, query);
                    let column = match query.sort {
                        CaseSort::UpdatedAt => "updated_at",
                        CaseSort::Name => "name_search",
                        CaseSort::Outcome => "COALESCE(outcome, '')",
                        CaseSort::DateOfBirth => "COALESCE(date_of_birth, '')",
                    };
                    let direction = if query.descending { "DESC" } else { "ASC" };
                    // doc_id breaks ties, so pages never repeat or skip a case.
                    qb.push(format!(" ORDER BY {column} {direction}, doc_id {direction} LIMIT "))
                        .push_bind(i64::from(query.limit.min(CASE_PAGE_MAX)))
                        .push(" OFFSET ")
                        .push_bind(i64::from(query.offset));
                    let rows: Vec<CaseRowData> =
                        qb.build_query_as().fetch_all(&self.pool).await.map_err(store_error)?;
                    let cases = rows
                        .into_iter()
                        .map(CaseRecord::try_from)
                        .collect::<Result<_, _>>()?;
                    Ok(CasePage { cases, total: u64::from(count(total)?) })
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %clinic))]
                async fn case_counts(&self, clinic: &ClinicId) -> Result<CaseCounts, StoreError> {
                    let mut counts = CaseCounts::default();
                    // Grouped by the columns of `cases_clinic_outcome` in its order, so the
                    // counts are one pass over that index without a sort; the few groups per
                    // conflict count are folded here.
                    let grouped: Vec<(Option<String>, String, i64, i64)> = sqlx::query_as(
                        "SELECT outcome, review_state, open_conflicts, COUNT(*) FROM cases \
                         WHERE clinic_id = $1 GROUP BY outcome, review_state, open_conflicts",
                    )
                    .bind(clinic.to_string())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_error)?;
                    for (outcome, review_state, open_conflicts, n) in grouped {
                        let n = u64::from(count(n)?);
                        counts.total += n;
                        *counts.by_outcome.entry(outcome.unwrap_or_else(|| "none".into())).or_default() += n;
                        *counts.by_review_state.entry(review_state).or_default() += n;
                        if open_conflicts > 0 {
                            counts.with_open_conflicts += n;
                        }
                    }
                    let (open,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM duplicate_candidates WHERE clinic_id = $1 AND status = 'open'",
                    )
                    .bind(clinic.to_string())
                    .fetch_one(&self.pool)
                    .await
                    .map_err(store_error)?;
                    counts.open_duplicates = u64::from(count(open)?);
                    Ok(counts)
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc))]
                async fn cases_sharing_identifiers(
                    &self,
                    clinic: &ClinicId,
                    doc: &DocumentId,
                    identifiers: &[(String, String)],
                ) -> Result<Vec<CaseRecord>, StoreError> {
                    if identifiers.is_empty() {
                        return Ok(Vec::new());
                    }
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {CASE_COLUMNS} FROM cases WHERE doc_id IN \
                         (SELECT DISTINCT doc_id FROM case_identifiers WHERE doc_id <> "
                    ));
                    qb.push_bind(doc.as_bytes().as_slice()).push(" AND (");
                    // The clinic is repeated in every term so each one is a full key of
                    // `case_identifiers_lookup`: with the clinic outside the OR, SQLite probes
                    // the index by clinic alone and reads every identifier of the clinic.
                    for (i, (kind, value)) in identifiers.iter().enumerate() {
                        if i > 0 {
                            qb.push(" OR ");
                        }
                        qb.push("(clinic_id = ").push_bind(clinic.to_string());
                        qb.push(" AND kind = ").push_bind(kind.clone());
                        qb.push(" AND value = ").push_bind(value.clone()).push(")");
                    }
                    // A common date of birth can bring many cases; scoring more than this many
                    // per change would only slow the projector, and the best matches share more
                    // than a date.
                    qb.push(")) LIMIT 200");
                    let rows: Vec<CaseRowData> =
                        qb.build_query_as().fetch_all(&self.pool).await.map_err(store_error)?;
                    Ok(rows.into_iter().map(CaseRecord::try_from).collect::<Result<_, _>>()?)
                }

                #[tracing::instrument(skip_all, fields(doc.id = %doc, found = found.len()))]
                async fn record_duplicates(
                    &self,
                    clinic: &ClinicId,
                    doc: &DocumentId,
                    found: &[DetectedDuplicate],
                    at_millis: i64,
                ) -> Result<(), StoreError> {
                    let mut tx = self.begin_write().await?;
                    let open: Vec<(Vec<u8>, Vec<u8>)> = sqlx::query_as(
                        "SELECT doc_a, doc_b FROM duplicate_candidates \
                         WHERE status = 'open' AND (doc_a = $1 OR doc_b = $1)",
                    )
                    .bind(doc.as_bytes().as_slice())
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(store_error)?;
                    for (a, b) in open {
                        let other = if a.as_slice() == doc.as_bytes().as_slice() { &b } else { &a };
                        if found.iter().any(|f| f.other.as_bytes().as_slice() == other.as_slice()) {
                            continue;
                        }
                        sqlx::query(
                            "DELETE FROM duplicate_candidates \
                             WHERE doc_a = $1 AND doc_b = $2 AND status = 'open'",
                        )
                        .bind(a)
                        .bind(b)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    }
                    for f in found {
                        let (a, b) = ordered_pair(*doc, f.other);
                        sqlx::query(
                            "INSERT INTO duplicate_candidates \
                               (doc_a, doc_b, clinic_id, score, reasons, status, detected_at) \
                             VALUES ($1, $2, $3, $4, $5, 'open', $6) \
                             ON CONFLICT (doc_a, doc_b) DO UPDATE SET \
                               score = excluded.score, reasons = excluded.reasons",
                        )
                        .bind(a.as_bytes().as_slice())
                        .bind(b.as_bytes().as_slice())
                        .bind(clinic.to_string())
                        .bind(f.score)
                        .bind(serde_json::to_string(&f.reasons).unwrap_or_else(|_| "[]".into()))
                        .bind(at_millis)
                        .execute(&mut *tx)
                        .await
                        .map_err(store_error)?;
                    }
                    tx.commit().await.map_err(store_error)
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %clinic))]
                async fn duplicates(
                    &self,
                    clinic: &ClinicId,
                    status: Option<DuplicateStatus>,
                    doc: Option<&DocumentId>,
                    limit: u32,
                ) -> Result<Vec<DuplicateCandidate>, StoreError> {
                    let mut qb = QueryBuilder::<$db>::new(format!(
                        "SELECT {DUPLICATE_COLUMNS} FROM duplicate_candidates WHERE clinic_id = "
                    ));
                    qb.push_bind(clinic.to_string());
                    if let Some(status) = status {
                        qb.push(" AND status = ").push_bind(status.as_str());
                    }
                    if let Some(doc) = doc {
                        qb.push(" AND (doc_a = ").push_bind(doc.as_bytes().as_slice());
                        qb.push(" OR doc_b = ").push_bind(doc.as_bytes().as_slice()).push(")");
                    }
                    qb.push(" ORDER BY score DESC, doc_a, doc_b LIMIT ")
                        .push_bind(i64::from(limit.min(CASE_PAGE_MAX)));
                    let rows: Vec<DuplicateRow> =
                        qb.build_query_as().fetch_all(&self.pool).await.map_err(store_error)?;
                    Ok(rows.into_iter().map(DuplicateCandidate::try_from).collect::<Result<_, _>>()?)
                }

                #[tracing::instrument(skip_all, fields(clinic.id = %clinic))]
                async fn decide_duplicate(
                    &self,
                    clinic: &ClinicId,
                    pair: (DocumentId, DocumentId),
                    status: DuplicateStatus,
                    by: &UserId,
                    at_millis: i64,
                ) -> Result<DuplicateCandidate, StoreError> {
                    let (a, b) = ordered_pair(pair.0, pair.1);
                    let row = sqlx::query_as::<_, DuplicateRow>(sqlx::AssertSqlSafe(format!(
                        "UPDATE duplicate_candidates SET status = $1, decided_at = $2, decided_by = $3 \
                         WHERE doc_a = $4 AND doc_b = $5 AND clinic_id = $6 RETURNING {DUPLICATE_COLUMNS}"
                    )))
                    .bind(status.as_str())
                    .bind(at_millis)
                    .bind(by.to_string())
                    .bind(a.as_bytes().as_slice())
                    .bind(b.as_bytes().as_slice())
                    .bind(clinic.to_string())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?
                    .ok_or(StoreError::NotFound)?;
                    Ok(DuplicateCandidate::try_from(row)?)
                }

                #[tracing::instrument(skip_all)]
                async fn intakes_after(
                    &self,
                    after: Option<DocumentId>,
                    limit: u32,
                ) -> Result<Vec<DocumentId>, StoreError> {
                    let mut q = QueryBuilder::<$db>::new(
                        "SELECT doc_id FROM document_owners WHERE kind = 'intake'",
                    );
                    if let Some(after) = after {
                        q.push(" AND doc_id > ").push_bind(after.as_bytes().to_vec());
                    }
                    q.push(" ORDER BY doc_id LIMIT ").push_bind(i64::from(limit));
                    let rows: Vec<Vec<u8>> = q
                        .build_query_scalar()
                        .fetch_all(&self.pool)
                        .await
                        .map_err(store_error)?;
                    Ok(rows
                        .iter()
                        .map(|id| crate::columns::doc_id(id))
                        .collect::<Result<_, _>>()?)
                }

                async fn reevaluation_progress(
                    &self,
                    rules_version: &str,
                ) -> Result<Option<ReevaluationProgress>, StoreError> {
                    let row: Option<(Option<Vec<u8>>, Option<i64>)> = sqlx::query_as(
                        "SELECT after_doc, finished_at FROM rules_reevaluations WHERE rules_version = $1",
                    )
                    .bind(rules_version)
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(store_error)?;
                    let Some((after, finished)) = row else {
                        return Ok(None);
                    };
                    Ok(Some(ReevaluationProgress {
                        after: after
                            .map(|id| crate::columns::doc_id(&id))
                            .transpose()?,
                        finished: finished.is_some(),
                    }))
                }

                async fn save_reevaluation_progress(
                    &self,
                    rules_version: &str,
                    progress: &ReevaluationProgress,
                    at_millis: i64,
                ) -> Result<(), StoreError> {
                    sqlx::query(
                        "INSERT INTO rules_reevaluations \
                           (rules_version, after_doc, started_at, updated_at, finished_at) \
                         VALUES ($1, $2, $3, $3, $4) \
                         ON CONFLICT (rules_version) DO UPDATE SET \
                           after_doc = excluded.after_doc, updated_at = excluded.updated_at, \
                           finished_at = excluded.finished_at",
                    )
                    .bind(rules_version)
                    .bind(progress.after.map(|d| d.as_bytes().to_vec()))
                    .bind(at_millis)
                    .bind(progress.finished.then_some(at_millis))
                    .execute(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(())
                }

                async fn unprojected_intakes(&self, limit: u32) -> Result<Vec<(DocumentId, i64)>, StoreError> {
                    let rows: Vec<(Vec<u8>, i64)> = sqlx::query_as(
                        "SELECT o.doc_id, d.updated_at FROM document_owners o \
                         JOIN documents d ON d.doc_id = o.doc_id \
                         LEFT JOIN cases c ON c.doc_id = o.doc_id \
                         WHERE o.kind = 'intake' AND (c.doc_id IS NULL OR c.heads <> d.heads) \
                         ORDER BY o.doc_id LIMIT $1",
                    )
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await
                    .map_err(store_error)?;
                    Ok(rows
                        .into_iter()
                        .map(|(id, at)| crate::columns::doc_id(&id).map(|doc| (doc, at)))
                        .collect::<Result<_, _>>()?)
                }
            }
        };
    };
}

pub(crate) use case_store;
