//! One story, told to every [`AccountStore`]: SQLite and PostgreSQL must answer alike, down to
//! the expiry boundaries and what the schema itself refuses.

use std::future::Future;

use claims::{assert_matches, assert_none, assert_ok};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{Store, StoreError};

use fieldclinic_stores::accounts::{
    AccountStore, AuditEntry, AuditQuery, ChangeAuthor, ClinicId, Credentials, Device, DeviceId,
    DocumentOwner, NewAuditEntry, NewDevice, NewUser, OwnedKind, Role, TicketOwner, TokenHash,
    User, UserId,
};
use fieldclinic_stores::test_support::TestPgDatabase;
use fieldclinic_stores::{PostgresStore, SqliteStore};

#[tokio::test]
async fn sqlite_account_store_conforms() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(format!("{}.db", uuid::Uuid::new_v4()));
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display())).await?;

    run_the_account_story(&store).await?;
    store.close().await;
    Ok(())
}

#[tokio::test]
async fn postgres_account_store_conforms() -> anyhow::Result<()> {
    let db = TestPgDatabase::create().await?;
    let store = PostgresStore::connect(db.url()).await?;

    run_the_account_story(&store).await?;
    store.close().await;
    Ok(())
}

/// Raw SQL, bypassing the store's methods, to show the database itself guards the audit log.
trait UncheckedSql {
    fn tamper(&self, sql: &'static str) -> impl Future<Output = Result<u64, sqlx::Error>> + Send;
}

impl UncheckedSql for SqliteStore {
    fn tamper(&self, sql: &'static str) -> impl Future<Output = Result<u64, sqlx::Error>> + Send {
        self.execute_unchecked(sql)
    }
}

impl UncheckedSql for PostgresStore {
    fn tamper(&self, sql: &'static str) -> impl Future<Output = Result<u64, sqlx::Error>> + Send {
        self.execute_unchecked(sql)
    }
}

#[expect(clippy::too_many_lines, reason = "one story, told in order")]
async fn run_the_account_story<S>(store: &S) -> anyhow::Result<()>
where
    S: AccountStore + Store + UncheckedSql,
{
    // Clinics.
    let north = store.create_clinic("North clinic", 1_000).await?;
    let south = store.create_clinic("South clinic", 1_001).await?;
    assert_eq!(north.name, "North clinic");
    assert_eq!(north.created_at_millis, 1_000);
    assert_ne!(north.id, south.id);
    assert_eq!(store.clinic(&north.id).await?, north);
    assert_matches!(
        store.clinic(&ClinicId::random()).await,
        Err(StoreError::NotFound)
    );

    // Users: emails are stored lower-cased and unique whatever their case.
    let alice = store
        .create_user(&new_user(north.id, "Alice@Example.ORG", Role::Volunteer))
        .await?;
    assert_eq!(alice.email, "alice@example.org");
    assert_eq!(alice.clinic_id, north.id);
    assert_eq!(alice.role, Role::Volunteer);
    assert_eq!(alice.disabled_at_millis, None);
    let bob = store
        .create_user(&new_user(north.id, "bob@example.org", Role::Supervisor))
        .await?;
    let carol = store
        .create_user(&new_user(south.id, "carol@example.org", Role::Admin))
        .await?;
    assert_matches!(
        store
            .create_user(&new_user(south.id, "ALICE@example.org", Role::Admin))
            .await,
        Err(StoreError::Conflict(_)),
        "a duplicate email in another case"
    );
    assert_matches!(
        store
            .create_user(&new_user(
                ClinicId::random(),
                "dan@example.org",
                Role::Admin
            ))
            .await,
        Err(StoreError::NotFound),
        "a user of an unknown clinic"
    );
    let (found, password_hash) = store.user_by_email("ALICE@example.Org").await?;
    assert_eq!(found, alice);
    assert_eq!(
        password_hash,
        new_user(north.id, "", Role::Volunteer).password_hash
    );
    assert_matches!(
        store.user_by_email("nobody@example.org").await,
        Err(StoreError::NotFound)
    );
    assert_eq!(store.user(&carol.id).await?, carol);
    assert_matches!(
        store.user(&UserId::random()).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.clinic_users(&north.id).await?,
        vec![alice.clone(), bob.clone()]
    );
    assert!(store.clinic_users(&ClinicId::random()).await?.is_empty());

    // Devices.
    let phone_token = token(1);
    let phone = store
        .create_device(&new_device(&alice, "Phone", phone_token, 2_000))
        .await?;
    assert_eq!(
        (phone.clinic_id, phone.user_id, phone.name.as_str()),
        (north.id, alice.id, "Phone")
    );
    assert_eq!(
        (
            phone.created_at_millis,
            phone.revoked_at_millis,
            phone.last_seen_at_millis
        ),
        (2_000, None, None)
    );
    let tablet = store
        .create_device(&new_device(&bob, "Tablet 3", token(2), 2_001))
        .await?;
    assert_eq!(store.device(&phone.id).await?, phone);
    assert_matches!(
        store.device(&DeviceId::random()).await,
        Err(StoreError::NotFound)
    );
    assert_matches!(
        store
            .create_device(&new_device(&alice, "Reused token", phone_token, 2_002))
            .await,
        Err(StoreError::Conflict(_)),
        "a device with another device's token"
    );
    let mut elsewhere = new_device(&alice, "Wrong clinic", token(3), 2_003);
    elsewhere.clinic_id = south.id;
    assert_matches!(
        store.create_device(&elsewhere).await,
        Err(StoreError::NotFound),
        "a device outside its user's clinic"
    );
    let mut orphan = new_device(&alice, "No user", token(4), 2_004);
    orphan.user_id = UserId::random();
    assert_matches!(
        store.create_device(&orphan).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.device_by_token(&phone_token).await?,
        (phone.clone(), alice.clone())
    );
    assert_matches!(
        store.device_by_token(&token(99)).await,
        Err(StoreError::NotFound)
    );
    assert_eq!(
        store.clinic_devices(&north.id).await?,
        vec![phone.clone(), tablet.clone()]
    );
    assert!(store.clinic_devices(&south.id).await?.is_empty());

    // Last seen only moves forward.
    store.touch_device(&phone.id, 5_000).await?;
    store.touch_device(&phone.id, 4_000).await?;
    assert_eq!(
        store.device(&phone.id).await?.last_seen_at_millis,
        Some(5_000)
    );
    assert_matches!(
        store.touch_device(&DeviceId::random(), 5_000).await,
        Err(StoreError::NotFound)
    );

    // Revocation keeps its first time; a revoked device is still found by its token.
    let revoked = store.revoke_device(&phone.id, 6_000).await?;
    assert_eq!(revoked.revoked_at_millis, Some(6_000));
    assert_eq!(revoked.last_seen_at_millis, Some(5_000));
    let again = store.revoke_device(&phone.id, 7_000).await?;
    assert_eq!(
        again.revoked_at_millis,
        Some(6_000),
        "revoking again moved the time"
    );
    assert_eq!(store.device_by_token(&phone_token).await?.0, again);
    assert_eq!(store.device(&tablet.id).await?.revoked_at_millis, None);
    assert_matches!(
        store.revoke_device(&DeviceId::random(), 6_000).await,
        Err(StoreError::NotFound)
    );

    // Sessions are valid while now < expires_at.
    let session = token(10);
    store
        .create_session(&session, &alice.id, 1_000, 2_000)
        .await?;
    assert_eq!(store.session_user(&session, 1_000).await?, alice);
    assert_eq!(store.session_user(&session, 1_999).await?, alice);
    assert_matches!(
        store.session_user(&session, 2_000).await,
        Err(StoreError::NotFound),
        "a session at its expiry"
    );
    assert_matches!(
        store.session_user(&token(11), 1_000).await,
        Err(StoreError::NotFound)
    );
    assert_matches!(
        store
            .create_session(&token(12), &UserId::random(), 1_000, 2_000)
            .await,
        Err(StoreError::NotFound),
        "a session of an unknown user"
    );
    store.delete_session(&session).await?;
    assert_matches!(
        store.session_user(&session, 1_500).await,
        Err(StoreError::NotFound),
        "a deleted session"
    );
    store.delete_session(&session).await?;

    // Tickets likewise, and stay valid for any number of lookups within their life.
    let device_ticket = token(20);
    let device_owner = TicketOwner {
        user_id: alice.id,
        device_id: Some(phone.id),
        session: None,
    };
    store
        .create_ticket(&device_ticket, &device_owner, 3_000)
        .await?;
    let session_ticket = token(21);
    let session_owner = TicketOwner {
        user_id: bob.id,
        device_id: None,
        session: None,
    };
    store
        .create_ticket(&session_ticket, &session_owner, 3_000)
        .await?;
    assert_eq!(
        store.ticket_owner(&device_ticket, 2_000).await?,
        device_owner
    );
    assert_eq!(
        store.ticket_owner(&device_ticket, 2_999).await?,
        device_owner
    );
    assert_eq!(
        store.ticket_owner(&session_ticket, 2_999).await?,
        session_owner
    );
    assert_matches!(
        store.ticket_owner(&device_ticket, 3_000).await,
        Err(StoreError::NotFound),
        "a ticket at its expiry"
    );
    assert_matches!(
        store.ticket_owner(&token(22), 0).await,
        Err(StoreError::NotFound)
    );

    let unknown_device = TicketOwner {
        user_id: alice.id,
        device_id: Some(DeviceId::random()),
        session: None,
    };
    assert_matches!(
        store
            .create_ticket(&token(23), &unknown_device, 3_000)
            .await,
        Err(StoreError::NotFound),
        "a ticket for an unknown device"
    );

    // A ticket a signed-in person asked for ends with their session.
    let live = token(24);
    store.create_session(&live, &bob.id, 1_000, 10_000).await?;
    let bound = token(25);
    let bound_owner = TicketOwner {
        user_id: bob.id,
        device_id: None,
        session: Some(live),
    };
    store.create_ticket(&bound, &bound_owner, 9_000).await?;
    assert_eq!(store.ticket_owner(&bound, 2_000).await?, bound_owner);

    // Open connections' credentials, checked again: the revoked phone, unknown ones.
    let stranger = DeviceId::random();
    let nobody = UserId::random();
    let all = Credentials {
        devices: vec![phone.id, stranger],
        sessions: vec![live, token(26)],
        users: vec![bob.id, nobody],
    };
    let invalid = store.invalid_credentials(&all, 2_000).await?;
    assert_eq!(invalid.devices, vec![phone.id, stranger]);
    assert_eq!(invalid.sessions, vec![token(26)]);
    assert_eq!(invalid.users, vec![nobody]);
    assert_eq!(
        store.invalid_credentials(&all, 10_000).await?.sessions,
        vec![live, token(26)],
        "a session at its expiry"
    );
    store.delete_session(&live).await?;
    assert_matches!(
        store.ticket_owner(&bound, 2_000).await,
        Err(StoreError::NotFound),
        "a ticket of an ended session"
    );
    assert_eq!(
        store.invalid_credentials(&all, 2_000).await?.sessions,
        vec![live, token(26)]
    );

    // Purging removes exactly what lookups no longer accept.
    store
        .create_session(&token(30), &bob.id, 1_000, 10_000)
        .await?;
    store
        .create_session(&token(31), &bob.id, 1_000, 10_001)
        .await?;
    store
        .create_ticket(&token(32), &session_owner, 10_000)
        .await?;
    store
        .create_ticket(&token(33), &session_owner, 10_001)
        .await?;
    assert_eq!(
        store.purge_expired(10_000).await?,
        4,
        "two tickets at 3000, one of each at 10000"
    );
    assert_eq!(store.purge_expired(10_000).await?, 0, "purging twice");
    assert_eq!(store.session_user(&token(31), 10_000).await?, bob);
    assert_eq!(store.ticket_owner(&token(33), 10_000).await?, session_owner);
    assert_matches!(
        store.session_user(&token(30), 9_999).await,
        Err(StoreError::NotFound),
        "a purged session"
    );

    // Document ownership: first writer wins.
    let intake = DocumentId::random();
    assert_none!(store.document_owner(&intake).await?);
    let by_alice = owner(intake, &alice, Some(phone.id), 8_000);
    assert_eq!(store.claim_document(&by_alice).await?, by_alice);
    let by_carol = owner(intake, &carol, None, 8_001);
    assert_eq!(
        store.claim_document(&by_carol).await?,
        by_alice,
        "a later claim"
    );
    assert_eq!(store.document_owner(&intake).await?, Some(by_alice.clone()));
    let index = DocumentOwner {
        kind: OwnedKind::Index,
        ..owner(alice.index_doc, &alice, None, 8_002)
    };
    assert_eq!(store.claim_document(&index).await?, index);
    assert_matches!(
        store
            .claim_document(&DocumentOwner {
                clinic_id: ClinicId::random(),
                ..owner(DocumentId::random(), &alice, None, 8_003)
            })
            .await,
        Err(StoreError::NotFound),
        "a claim for an unknown clinic"
    );
    // Two claims at once, from different clinics: both see the same single winner.
    for round in 0..5 {
        let doc = DocumentId::random();
        let north_claim = owner(doc, &alice, Some(phone.id), 9_000 + round);
        let south_claim = owner(doc, &carol, None, 9_000 + round);
        let (a, b) = tokio::join!(
            store.claim_document(&north_claim),
            store.claim_document(&south_claim)
        );
        let (a, b) = (a?, b?);
        assert_eq!(a, b, "concurrent claims disagree (round {round})");
        assert!(
            a == north_claim || a == south_claim,
            "the winner is neither claim: {a:?}"
        );
        assert_eq!(store.document_owner(&doc).await?, Some(a));
    }

    // Assignments are idempotent and need an owned document and a known user.
    assert!(!store.is_assigned(&intake, &bob.id).await?);
    assert!(store.assignees(&intake).await?.is_empty());
    store.assign_document(&intake, &bob.id, 11_000).await?;
    store.assign_document(&intake, &bob.id, 11_001).await?;
    assert!(store.is_assigned(&intake, &bob.id).await?);
    assert!(!store.is_assigned(&intake, &alice.id).await?);
    store.assign_document(&intake, &alice.id, 11_002).await?;
    assert_eq!(store.assignees(&intake).await?, vec![bob.id, alice.id]);
    assert_matches!(
        store
            .assign_document(&DocumentId::random(), &bob.id, 11_003)
            .await,
        Err(StoreError::NotFound),
        "assigning an unowned document"
    );
    assert_matches!(
        store
            .assign_document(&intake, &UserId::random(), 11_004)
            .await,
        Err(StoreError::NotFound),
        "assigning to an unknown user"
    );
    assert!(store.assignees(&DocumentId::random()).await?.is_empty());

    // The audit log: filters combine, newest first, pages backwards by id.
    store.append_audit(&[]).await?;
    let entries = [
        audit(12_000, Some(north.id), "cli", "", None, "clinic.created"),
        audit(
            12_001,
            Some(north.id),
            "device",
            &phone.id.to_string(),
            Some(intake),
            "document.changed",
        ),
        audit(
            12_002,
            Some(south.id),
            "user",
            &carol.id.to_string(),
            None,
            "session.created",
        ),
        audit(
            12_003,
            Some(north.id),
            "user",
            &bob.id.to_string(),
            Some(intake),
            "review.changed",
        ),
        audit(12_004, None, "server", "", None, "server.started"),
        audit(
            12_005,
            Some(north.id),
            "device",
            &phone.id.to_string(),
            Some(intake),
            "changes.refused",
        ),
    ];
    store.append_audit(&entries[..2]).await?;
    store.append_audit(&entries[2..]).await?;
    let all = store.query_audit(&page(1_000)).await?;
    assert_eq!(
        all.iter().map(new_of).collect::<Vec<_>>(),
        entries.iter().rev().cloned().collect::<Vec<_>>(),
        "every entry, newest first"
    );
    assert!(
        all.windows(2).all(|w| w[0].id > w[1].id),
        "ids not decreasing"
    );
    assert!(store.query_audit(&page(0)).await?.is_empty(), "limit 0");
    let cases: Vec<(&str, AuditQuery, Vec<usize>)> = vec![
        (
            "clinic",
            AuditQuery {
                clinic_id: Some(north.id),
                ..page(100)
            },
            vec![5, 3, 1, 0],
        ),
        (
            "document",
            AuditQuery {
                doc: Some(intake),
                ..page(100)
            },
            vec![5, 3, 1],
        ),
        (
            "actor",
            AuditQuery {
                actor_id: Some(phone.id.to_string()),
                ..page(100)
            },
            vec![5, 1],
        ),
        (
            "since",
            AuditQuery {
                since_millis: Some(12_003),
                ..page(100)
            },
            vec![5, 4, 3],
        ),
        (
            "clinic and since",
            AuditQuery {
                clinic_id: Some(north.id),
                since_millis: Some(12_002),
                ..page(100)
            },
            vec![5, 3],
        ),
        (
            "document and actor",
            AuditQuery {
                doc: Some(intake),
                actor_id: Some(bob.id.to_string()),
                ..page(100)
            },
            vec![3],
        ),
        (
            "other clinic",
            AuditQuery {
                clinic_id: Some(south.id),
                ..page(100)
            },
            vec![2],
        ),
        (
            "unknown document",
            AuditQuery {
                doc: Some(DocumentId::random()),
                ..page(100)
            },
            vec![],
        ),
        ("limit", page(2), vec![5, 4]),
        (
            "before",
            AuditQuery {
                before_id: Some(all[1].id),
                ..page(100)
            },
            vec![3, 2, 1, 0],
        ),
    ];
    for (description, query, expected) in cases {
        let got: Vec<NewAuditEntry> = store
            .query_audit(&query)
            .await?
            .iter()
            .map(new_of)
            .collect();
        let expected: Vec<NewAuditEntry> =
            expected.into_iter().map(|i| entries[i].clone()).collect();
        assert_eq!(got, expected, "audit filter: {description}");
    }
    let mut paged = Vec::new();
    let mut before_id = None;
    loop {
        let query = AuditQuery {
            clinic_id: Some(north.id),
            before_id,
            ..page(2)
        };
        let chunk = store.query_audit(&query).await?;
        assert!(chunk.len() <= 2, "a page longer than its limit");
        let Some(last) = chunk.last() else { break };
        before_id = Some(last.id);
        paged.extend(chunk);
    }
    assert_eq!(
        paged,
        store
            .query_audit(&AuditQuery {
                clinic_id: Some(north.id),
                ..page(100)
            })
            .await?,
        "paging backwards"
    );

    // The database refuses to change or remove entries, whatever the caller.
    for sql in [
        "UPDATE audit_log SET action = 'tampered'",
        "DELETE FROM audit_log",
    ] {
        let refused = store.tamper(sql).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.to_string().contains("append-only")),
            "{sql}: {refused:?}"
        );
    }
    assert_eq!(
        store.query_audit(&page(1_000)).await?,
        all,
        "after tampering"
    );

    // Pages are capped at 1000 entries.
    let many: Vec<NewAuditEntry> = (0..1_001)
        .map(|i| audit(13_000 + i, None, "server", "", None, "bulk"))
        .collect();
    store.append_audit(&many).await?;
    assert_eq!(store.query_audit(&page(u32::MAX)).await?.len(), 1_000);

    // Change authors: recorded once per document and change, read oldest first.
    store.record_change_authors(&[]).await?;
    let first = author(intake, "aa", Some(&phone), 14_000);
    let second = author(intake, "bb", None, 14_001);
    store
        .record_change_authors(&[second.clone(), first.clone()])
        .await?;
    let replayed = ChangeAuthor {
        device_id: Some(tablet.id),
        user_id: Some(bob.id),
        at_millis: 14_002,
        ..first.clone()
    };
    store
        .record_change_authors(&[replayed.clone(), replayed])
        .await?;
    assert_eq!(store.change_authors(&intake).await?, vec![first, second]);
    assert!(
        store
            .change_authors(&DocumentId::random())
            .await?
            .is_empty()
    );

    // The document store beside it is untouched by all this.
    assert_ok!(store.list_documents(None, 10).await);
    Ok(())
}

fn new_user(clinic_id: ClinicId, email: &str, role: Role) -> NewUser {
    NewUser {
        clinic_id,
        email: email.to_owned(),
        role,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
        index_doc: DocumentId::random(),
        at_millis: 1_500,
    }
}

fn new_device(user: &User, name: &str, token_hash: TokenHash, at_millis: i64) -> NewDevice {
    NewDevice {
        clinic_id: user.clinic_id,
        user_id: user.id,
        name: name.to_owned(),
        token_hash,
        at_millis,
    }
}

/// A distinct token hash per seed.
fn token(seed: u8) -> TokenHash {
    TokenHash([seed; 32])
}

fn owner(doc: DocumentId, user: &User, device: Option<DeviceId>, at: i64) -> DocumentOwner {
    DocumentOwner {
        doc,
        clinic_id: user.clinic_id,
        kind: OwnedKind::Intake,
        created_by_user: user.id,
        created_by_device: device,
        created_at_millis: at,
    }
}

fn audit(
    at_millis: i64,
    clinic_id: Option<ClinicId>,
    actor_kind: &str,
    actor_id: &str,
    doc: Option<DocumentId>,
    action: &str,
) -> NewAuditEntry {
    NewAuditEntry {
        at_millis,
        clinic_id,
        actor_kind: actor_kind.to_owned(),
        actor_id: actor_id.to_owned(),
        doc,
        action: action.to_owned(),
        detail: serde_json::json!({ "at": at_millis, "hashes": ["ab", "cd"] }),
        remote_addr: (actor_kind == "device").then(|| "192.0.2.7".to_owned()),
    }
}

fn page(limit: u32) -> AuditQuery {
    AuditQuery {
        limit,
        ..AuditQuery::default()
    }
}

/// A stored entry without its id, to compare with what was appended.
fn new_of(e: &AuditEntry) -> NewAuditEntry {
    NewAuditEntry {
        at_millis: e.at_millis,
        clinic_id: e.clinic_id,
        actor_kind: e.actor_kind.clone(),
        actor_id: e.actor_id.clone(),
        doc: e.doc,
        action: e.action.clone(),
        detail: e.detail.clone(),
        remote_addr: e.remote_addr.clone(),
    }
}

fn author(
    doc: DocumentId,
    change_hash: &str,
    device: Option<&Device>,
    at_millis: i64,
) -> ChangeAuthor {
    ChangeAuthor {
        doc,
        change_hash: change_hash.repeat(32),
        actor_id: "0123456789abcdef".to_owned(),
        device_id: device.map(|d| d.id),
        user_id: device.map(|d| d.user_id),
        at_millis,
    }
}
