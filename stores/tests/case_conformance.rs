//! One story, told to every [`CaseStore`]: SQLite and PostgreSQL must answer alike, down to the
//! order of tied rows, what a LIKE pattern matches and which duplicate decisions survive.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use claims::{assert_matches, assert_none};
use fieldclinic_schema::DocumentId;
use fieldclinic_sync::{Chunk, ChunkKind, DocumentWrite, Store, StoreError};

use fieldclinic_stores::accounts::{
    AccountStore, ClinicId, DocumentOwner, NewUser, OwnedKind, Role, User,
};
use fieldclinic_stores::cases::{
    CASE_PAGE_MAX, CaseCounts, CaseProjection, CaseQuery, CaseRecord, CaseSort, CaseStore,
    DetectedDuplicate, DuplicateCandidate, DuplicateStatus, ReevaluationProgress, ordered_pair,
};
use fieldclinic_stores::test_support::TestPgDatabase;
use fieldclinic_stores::{PostgresStore, SqliteStore};

#[tokio::test]
async fn sqlite_case_store_conforms() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join(format!("{}.db", uuid::Uuid::new_v4()));
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display())).await?;

    run_the_case_story(&store).await?;
    store.close().await;
    Ok(())
}

#[tokio::test]
async fn postgres_case_store_conforms() -> anyhow::Result<()> {
    let db = TestPgDatabase::create().await?;
    let store = PostgresStore::connect(db.url()).await?;

    run_the_case_story(&store).await?;
    store.close().await;
    Ok(())
}

/// The intakes of the story, with what the index should hold for each.
#[derive(Debug, Default)]
struct Caseload {
    cases: BTreeMap<DocumentId, (CaseProjection, User)>,
}

impl Caseload {
    fn add(&mut self, row: &CaseProjection, by: &User) {
        self.cases.insert(row.doc, (row.clone(), by.clone()));
    }

    fn record(&self, doc: DocumentId) -> CaseRecord {
        let (row, by) = &self.cases[&doc];
        CaseRecord {
            doc: row.doc,
            clinic_id: by.clinic_id,
            created_by_user: by.id,
            legal_name: row.legal_name.clone(),
            other_names: row.other_names.clone(),
            date_of_birth: row.date_of_birth.clone(),
            outcome: row.outcome.clone(),
            provisional: row.provisional,
            open_conflicts: row.open_conflicts,
            review_state: row.review_state.clone(),
            offense_count: row.offense_count,
            missing_required: row.missing_required,
            person_keys: row.person_keys.clone(),
            updated_at_millis: row.updated_at_millis,
        }
    }

    /// A clinic's cases in the order `list_cases` must return them: the sort key, then doc_id,
    /// both in the one direction. Rust compares strings by bytes, as SQLite's BINARY collation
    /// and PostgreSQL's C collation do.
    fn sorted(&self, clinic: ClinicId, sort: CaseSort, descending: bool) -> Vec<DocumentId> {
        let mut rows: Vec<&CaseProjection> = self
            .cases
            .values()
            .filter(|(_, by)| by.clinic_id == clinic)
            .map(|(row, _)| row)
            .collect();
        let key = |r: &CaseProjection| -> (i64, String) {
            match sort {
                CaseSort::UpdatedAt => (r.updated_at_millis, String::new()),
                CaseSort::Name => (0, r.name_search.clone()),
                CaseSort::Outcome => (0, r.outcome.clone().unwrap_or_default()),
                CaseSort::DateOfBirth => (0, r.date_of_birth.clone().unwrap_or_default()),
            }
        };
        rows.sort_by(|a, b| {
            let order = (key(a), a.doc.as_bytes()).cmp(&(key(b), b.doc.as_bytes()));
            if descending { order.reverse() } else { order }
        });
        rows.into_iter().map(|r| r.doc).collect()
    }
}

#[expect(clippy::too_many_lines, reason = "one story, told in order")]
async fn run_the_case_story<S>(store: &S) -> anyhow::Result<()>
where
    S: CaseStore + AccountStore + Store,
{
    // Two clinics, with a volunteer and a supervisor in the north and one user in the south.
    let north = store.create_clinic("North clinic", 1_000).await?.id;
    let south = store.create_clinic("South clinic", 1_001).await?.id;
    let alice = store
        .create_user(&new_user(north, "alice@example.org", Role::Volunteer))
        .await?;
    let bob = store
        .create_user(&new_user(north, "bob@example.org", Role::Supervisor))
        .await?;
    let carol = store
        .create_user(&new_user(south, "carol@example.org", Role::Volunteer))
        .await?;

    // Fixed IDs whose byte order differs from the order of every sort key below, so the doc_id
    // tie-break and the pair order are both exercised.
    let [c1, c2, c3, c4, c5, c6, c7] = [0x50, 0x20, 0x10, 0x70, 0x30, 0x60, 0x40].map(doc);
    let s1 = doc(0x05);
    let s2 = doc(0x90);
    let unowned = doc(0xa0);
    let index_doc = alice.index_doc;
    for (d, by) in [
        (c1, &alice),
        (c2, &bob),
        (c3, &alice),
        (c4, &alice),
        (c5, &bob),
        (c6, &alice),
        (c7, &bob),
        (s1, &carol),
        (s2, &carol),
    ] {
        store
            .claim_document(&owner(d, by, OwnedKind::Intake))
            .await?;
    }
    store
        .claim_document(&owner(index_doc, &alice, OwnedKind::Index))
        .await?;

    let dob_a = ("dob".to_owned(), "1990-01-02".to_owned());
    let dob_b = ("dob".to_owned(), "1985-05-05".to_owned());
    let a_number = ("a_number".to_owned(), "012345678".to_owned());
    let docket = ("docket".to_owned(), "cr 2019 1".to_owned());
    let mut book = Caseload::default();
    let first_c1 = CaseProjection {
        legal_name: Some("Ana María García".to_owned()),
        other_names: vec!["Ana García-López".to_owned(), "Anita".to_owned()],
        name_search: "ana maria garcia | ana garcia lopez | anita".to_owned(),
        date_of_birth: Some("1990-01-02".to_owned()),
        outcome: Some("ELIGIBLE".to_owned()),
        offense_count: 2,
        review_state: "approved".to_owned(),
        identifiers: vec![dob_a.clone(), a_number.clone()],
        ..row(c1, 10_000)
    };
    let rows = [
        (first_c1.clone(), &alice),
        (
            CaseProjection {
                legal_name: Some("Bo Chen".to_owned()),
                name_search: "bo chen".to_owned(),
                date_of_birth: Some("1985-05-05".to_owned()),
                outcome: Some("NOT_ELIGIBLE".to_owned()),
                provisional: true,
                open_conflicts: 2,
                missing_required: 3,
                identifiers: vec![dob_b.clone(), docket.clone()],
                ..row(c2, 11_000)
            },
            &bob,
        ),
        (
            CaseProjection {
                legal_name: Some("Chidi Okafor".to_owned()),
                name_search: "chidi okafor".to_owned(),
                review_state: "needs_info".to_owned(),
                ..row(c3, 11_000)
            },
            &alice,
        ),
        (
            CaseProjection {
                // Normalised names never hold `%` or `_`; these two show that a search for them
                // is literal all the same.
                name_search: "percent 100% | under_score".to_owned(),
                outcome: Some("NEEDS_MORE_INFO".to_owned()),
                open_conflicts: 1,
                review_state: "rejected".to_owned(),
                ..row(c4, 12_500)
            },
            &alice,
        ),
        (
            CaseProjection {
                name_search: "percent 1000 | underxscore".to_owned(),
                date_of_birth: Some("1985-05-05".to_owned()),
                outcome: Some("NEEDS_MORE_INFO".to_owned()),
                identifiers: vec![a_number.clone()],
                ..row(c5, 13_000)
            },
            &bob,
        ),
        (
            CaseProjection {
                legal_name: Some("Dup Name".to_owned()),
                name_search: "dup name".to_owned(),
                date_of_birth: Some("1990-01-02".to_owned()),
                outcome: Some("ELIGIBLE".to_owned()),
                identifiers: vec![dob_a.clone()],
                ..row(c6, 14_000)
            },
            &alice,
        ),
        (
            CaseProjection {
                legal_name: Some("Dup  Name".to_owned()),
                name_search: "dup name".to_owned(),
                identifiers: vec![docket.clone()],
                ..row(c7, 14_000)
            },
            &bob,
        ),
        (
            CaseProjection {
                legal_name: Some("Ana García".to_owned()),
                name_search: "ana garcia".to_owned(),
                outcome: Some("ELIGIBLE".to_owned()),
                identifiers: vec![dob_a.clone(), a_number.clone()],
                ..row(s1, 10_000)
            },
            &carol,
        ),
        (
            CaseProjection {
                name_search: "south two".to_owned(),
                identifiers: vec![dob_a.clone()],
                ..row(s2, 10_500)
            },
            &carol,
        ),
    ];

    // project_cases: an empty batch is a no-op; rows for documents that are not owned intakes
    // are skipped without failing the batch.
    store.project_cases(&[]).await?;
    let mut batch: Vec<CaseProjection> = rows.iter().map(|(r, _)| r.clone()).collect();
    batch.insert(3, row(unowned, 10_000));
    batch.push(row(index_doc, 10_000));
    store.project_cases(&batch).await?;
    for (r, by) in &rows {
        book.add(r, by);
    }
    for (r, _) in &rows {
        assert_eq!(
            store.case(&r.doc).await?,
            Some(book.record(r.doc)),
            "a projected case round-trips"
        );
    }
    assert_none!(store.case(&unowned).await?, "an unowned document");
    assert_none!(store.case(&index_doc).await?, "an index document");
    assert_none!(
        store.case(&DocumentId::random()).await?,
        "an unknown document"
    );

    // Identifiers: any shared (kind, value) finds the others of the clinic, never the asker.
    let sharing = async |clinic: ClinicId, d: DocumentId, ids: &[(String, String)]| {
        let mut found: Vec<DocumentId> = store
            .cases_sharing_identifiers(&clinic, &d, ids)
            .await?
            .into_iter()
            .map(|c| c.doc)
            .collect();
        found.sort_unstable_by_key(|d| *d.as_bytes());
        anyhow::Ok(found)
    };
    assert_eq!(
        sharing(north, c1, &[dob_a.clone(), a_number.clone()]).await?,
        sorted_ids([c5, c6]),
        "by date of birth or A-number"
    );
    assert_eq!(
        sharing(north, c6, std::slice::from_ref(&dob_a)).await?,
        sorted_ids([c1]),
        "never the asking case"
    );
    assert_eq!(
        sharing(north, c3, std::slice::from_ref(&docket)).await?,
        sorted_ids([c2, c7]),
        "any case may ask for any identifier"
    );
    assert_eq!(
        sharing(south, s1, &[dob_a.clone(), a_number.clone()]).await?,
        sorted_ids([s2]),
        "never another clinic's case"
    );
    assert_eq!(sharing(north, c1, &[]).await?, vec![], "no identifiers");
    assert_eq!(
        sharing(north, c1, &[("dob".to_owned(), "1985-05-05x".to_owned())]).await?,
        vec![],
        "an identifier nobody has"
    );
    let c5_record = store
        .cases_sharing_identifiers(&north, &c1, std::slice::from_ref(&a_number))
        .await?;
    assert_eq!(c5_record, vec![book.record(c5)], "whole records come back");

    // A newer projection replaces the row, identifiers included.
    let second_c1 = CaseProjection {
        legal_name: Some("Ana M. García".to_owned()),
        other_names: vec![],
        name_search: "ana m garcia".to_owned(),
        date_of_birth: Some("1990-02-01".to_owned()),
        outcome: None,
        provisional: true,
        open_conflicts: 1,
        review_state: "none".to_owned(),
        offense_count: 5,
        missing_required: 1,
        person_keys: serde_json::json!({ "names": ["ana m garcia"], "date_of_birth": "1990-02-01" }),
        identifiers: vec![("dob".to_owned(), "1990-02-01".to_owned())],
        heads: vec!["cd".repeat(32)],
        ..row(c1, 12_000)
    };
    store
        .project_cases(std::slice::from_ref(&second_c1))
        .await?;
    book.add(&second_c1, &alice);
    assert_eq!(store.case(&c1).await?, Some(book.record(c1)), "replaced");
    assert_eq!(
        sharing(north, c6, std::slice::from_ref(&dob_a)).await?,
        vec![],
        "the old date of birth is gone"
    );
    assert_eq!(
        sharing(north, c5, std::slice::from_ref(&a_number)).await?,
        vec![],
        "the old A-number is gone"
    );
    assert_eq!(
        sharing(north, c3, &[("dob".to_owned(), "1990-02-01".to_owned())]).await?,
        sorted_ids([c1]),
        "the new date of birth"
    );

    // A projection older than the stored row (a sweep racing a live update) changes nothing,
    // identifiers included, while the other rows of its batch are written.
    let stale_c1 = CaseProjection {
        legal_name: Some("Stale".to_owned()),
        name_search: "stale".to_owned(),
        identifiers: vec![("dob".to_owned(), "1111-11-11".to_owned())],
        ..row(c1, 11_999)
    };
    let second_c2 = CaseProjection {
        missing_required: 0,
        ..book.cases[&c2].0.clone()
    };
    store.project_cases(&[stale_c1, second_c2.clone()]).await?;
    book.add(&second_c2, &bob);
    assert_eq!(store.case(&c1).await?, Some(book.record(c1)), "stale write");
    assert_eq!(store.case(&c2).await?, Some(book.record(c2)), "same batch");
    assert_eq!(
        sharing(north, c3, &[("dob".to_owned(), "1111-11-11".to_owned())]).await?,
        vec![],
        "a stale projection's identifiers"
    );
    assert_eq!(
        sharing(north, c3, &[("dob".to_owned(), "1990-02-01".to_owned())]).await?,
        sorted_ids([c1]),
        "identifiers after a stale write"
    );
    // The same time is not older: it is written. A sweep stamps a row with its document's write
    // time, which can fall in the millisecond the live projection of the previous heads did.
    let same_time_c1 = CaseProjection {
        legal_name: Some("Ana Maria Garcia".to_owned()),
        ..second_c1.clone()
    };
    store
        .project_cases(std::slice::from_ref(&same_time_c1))
        .await?;
    book.add(&same_time_c1, &alice);
    assert_eq!(store.case(&c1).await?, Some(book.record(c1)), "same time");

    // list_cases: every filter alone, then combined.
    let north_cases = book.sorted(north, CaseSort::UpdatedAt, false);
    let listed = store.list_cases(&query(north)).await?;
    assert_eq!(listed.total, 7);
    assert_eq!(
        listed.cases,
        north_cases
            .iter()
            .map(|d| book.record(*d))
            .collect::<Vec<_>>(),
        "the whole north caseload"
    );
    let filters: Vec<(&str, CaseQuery, Vec<DocumentId>)> = vec![
        (
            "outcome",
            CaseQuery {
                outcome: Some("ELIGIBLE".to_owned()),
                ..query(north)
            },
            vec![c6],
        ),
        (
            "outcome none (not evaluated)",
            CaseQuery {
                outcome: Some("none".to_owned()),
                ..query(north)
            },
            vec![c1, c3, c7],
        ),
        (
            "an outcome nobody has",
            CaseQuery {
                outcome: Some("UNKNOWN".to_owned()),
                ..query(north)
            },
            vec![],
        ),
        (
            "review state",
            CaseQuery {
                review_state: Some("none".to_owned()),
                ..query(north)
            },
            vec![c1, c2, c5, c6, c7],
        ),
        (
            "with conflicts",
            CaseQuery {
                has_conflicts: Some(true),
                ..query(north)
            },
            vec![c1, c2, c4],
        ),
        (
            "without conflicts",
            CaseQuery {
                has_conflicts: Some(false),
                ..query(north)
            },
            vec![c3, c5, c6, c7],
        ),
        (
            "volunteer",
            CaseQuery {
                volunteer: Some(bob.id),
                ..query(north)
            },
            vec![c2, c5, c7],
        ),
        (
            "a volunteer of another clinic",
            CaseQuery {
                volunteer: Some(carol.id),
                ..query(north)
            },
            vec![],
        ),
        (
            "updated since, inclusive",
            CaseQuery {
                updated_since_millis: Some(12_500),
                ..query(north)
            },
            vec![c4, c5, c6, c7],
        ),
        (
            "updated since, just after",
            CaseQuery {
                updated_since_millis: Some(12_501),
                ..query(north)
            },
            vec![c5, c6, c7],
        ),
        (
            "name substring",
            CaseQuery {
                name: Some("garcia".to_owned()),
                ..query(north)
            },
            vec![c1],
        ),
        (
            "name in another name than the first",
            CaseQuery {
                name: Some("underxs".to_owned()),
                ..query(north)
            },
            vec![c5],
        ),
        (
            "name spanning words",
            CaseQuery {
                name: Some("p name".to_owned()),
                ..query(north)
            },
            vec![c6, c7],
        ),
        (
            "an empty name is no filter",
            CaseQuery {
                name: Some(String::new()),
                ..query(north)
            },
            north_cases.clone(),
        ),
        (
            "% is literal",
            CaseQuery {
                name: Some("100%".to_owned()),
                ..query(north)
            },
            vec![c4],
        ),
        (
            "% alone is literal",
            CaseQuery {
                name: Some("%".to_owned()),
                ..query(north)
            },
            vec![c4],
        ),
        (
            "_ is literal",
            CaseQuery {
                name: Some("r_s".to_owned()),
                ..query(north)
            },
            vec![c4],
        ),
        (
            "a backslash is literal",
            CaseQuery {
                name: Some("\\".to_owned()),
                ..query(north)
            },
            vec![],
        ),
        (
            "outcome and conflicts",
            CaseQuery {
                outcome: Some("NEEDS_MORE_INFO".to_owned()),
                has_conflicts: Some(false),
                ..query(north)
            },
            vec![c5],
        ),
        (
            "volunteer, since and name",
            CaseQuery {
                volunteer: Some(alice.id),
                updated_since_millis: Some(12_000),
                name: Some("a".to_owned()),
                ..query(north)
            },
            vec![c1, c6],
        ),
        (
            "the other clinic",
            CaseQuery {
                name: Some("garcia".to_owned()),
                ..query(south)
            },
            vec![s1],
        ),
        ("an unknown clinic", query(ClinicId::random()), vec![]),
    ];
    for (description, q, expected) in filters {
        let page = store.list_cases(&q).await?;
        let mut got: Vec<DocumentId> = page.cases.iter().map(|c| c.doc).collect();
        got.sort_unstable_by_key(|d| *d.as_bytes());
        assert_eq!(got, sorted_ids(expected), "filter: {description}");
        assert_eq!(
            page.total,
            got.len() as u64,
            "total of filter: {description}"
        );
        assert!(
            page.cases.iter().all(|c| c.clinic_id == q.clinic_id),
            "another clinic's case under filter: {description}"
        );
    }

    // Every sort, both ways: ties fall back to doc_id in the same direction, so pages of one
    // case put together are the whole list.
    for sort in [
        CaseSort::UpdatedAt,
        CaseSort::Name,
        CaseSort::Outcome,
        CaseSort::DateOfBirth,
    ] {
        for descending in [false, true] {
            let q = CaseQuery {
                sort,
                descending,
                ..query(north)
            };
            let full: Vec<DocumentId> = store
                .list_cases(&q)
                .await?
                .cases
                .iter()
                .map(|c| c.doc)
                .collect();
            assert_eq!(
                full,
                book.sorted(north, sort, descending),
                "order by {sort:?}, descending {descending}"
            );
            let mut paged = Vec::new();
            for offset in 0..8 {
                let page = store
                    .list_cases(&CaseQuery {
                        limit: 1,
                        offset,
                        ..q.clone()
                    })
                    .await?;
                assert_eq!(page.total, 7, "total on a page");
                assert!(page.cases.len() <= 1, "a page longer than its limit");
                paged.extend(page.cases.iter().map(|c| c.doc));
            }
            assert_eq!(
                paged, full,
                "pages of one by {sort:?}, descending {descending}"
            );
        }
    }
    let past_the_end = store
        .list_cases(&CaseQuery {
            offset: 7,
            ..query(north)
        })
        .await?;
    assert!(past_the_end.cases.is_empty(), "a page past the end");
    assert_eq!(past_the_end.total, 7, "the total past the end");
    let filtered_past_the_end = store
        .list_cases(&CaseQuery {
            outcome: Some("none".to_owned()),
            offset: 100,
            ..query(north)
        })
        .await?;
    assert!(filtered_past_the_end.cases.is_empty());
    assert_eq!(
        filtered_past_the_end.total, 3,
        "a filtered total past the end"
    );
    let first_two = store
        .list_cases(&CaseQuery {
            limit: 2,
            offset: 1,
            ..query(north)
        })
        .await?;
    assert_eq!(
        first_two.cases.iter().map(|c| c.doc).collect::<Vec<_>>(),
        north_cases[1..3].to_vec(),
        "limit and offset"
    );
    assert!(
        store
            .list_cases(&CaseQuery {
                limit: 0,
                ..query(north)
            })
            .await?
            .cases
            .is_empty(),
        "a page of limit 0"
    );

    // Counts over the caseload; duplicates are counted once there are some, below.
    let mut expected_counts = CaseCounts {
        total: 7,
        by_outcome: counts(&[
            ("ELIGIBLE", 1),
            ("NEEDS_MORE_INFO", 2),
            ("NOT_ELIGIBLE", 1),
            ("none", 3),
        ]),
        by_review_state: counts(&[("needs_info", 1), ("none", 5), ("rejected", 1)]),
        with_open_conflicts: 3,
        open_duplicates: 0,
    };
    assert_eq!(store.case_counts(&north).await?, expected_counts);
    assert_eq!(
        store.case_counts(&south).await?,
        CaseCounts {
            total: 2,
            by_outcome: counts(&[("ELIGIBLE", 1), ("none", 1)]),
            by_review_state: counts(&[("none", 2)]),
            ..CaseCounts::default()
        }
    );
    assert_eq!(
        store.case_counts(&ClinicId::random()).await?,
        CaseCounts::default()
    );

    // Duplicates: new pairs are open, kept in byte order whichever intake found them.
    let (c1_c5, c1_c6, c2_c7) = (
        ordered_pair(c1, c5),
        ordered_pair(c1, c6),
        ordered_pair(c2, c7),
    );
    assert_eq!(c1_c5, (c5, c1), "the IDs are chosen so that order matters");
    store
        .record_duplicates(
            &north,
            &c1,
            &[
                found(c6, 0.6, &["same_date_of_birth"]),
                found(c5, 0.9, &["same_a_number"]),
            ],
            20_000,
        )
        .await?;
    store
        .record_duplicates(&north, &c7, &[found(c2, 0.5, &["same_docket"])], 20_001)
        .await?;
    store
        .record_duplicates(
            &south,
            &s2,
            &[found(s1, 0.4, &["same_date_of_birth"])],
            20_002,
        )
        .await?;
    let c1_c5_candidate = open(c1_c5, 0.9, &["same_a_number"], 20_000);
    let mut c1_c6_candidate = open(c1_c6, 0.6, &["same_date_of_birth"], 20_000);
    let mut c2_c7_candidate = open(c2_c7, 0.5, &["same_docket"], 20_001);
    let s1_s2_candidate = open(ordered_pair(s1, s2), 0.4, &["same_date_of_birth"], 20_002);
    assert_eq!(
        store.duplicates(&north, None, None, 100).await?,
        vec![
            c1_c5_candidate.clone(),
            c1_c6_candidate.clone(),
            c2_c7_candidate.clone()
        ],
        "best first, in byte order"
    );
    assert_eq!(
        store.duplicates(&south, None, None, 100).await?,
        vec![s1_s2_candidate.clone()]
    );
    expected_counts.open_duplicates = 3;
    assert_eq!(store.case_counts(&north).await?, expected_counts);

    // Re-recorded from the other intake: the same row, rescored, first detection kept.
    store
        .record_duplicates(
            &north,
            &c6,
            &[found(c1, 0.7, &["same_date_of_birth", "similar_name"])],
            21_000,
        )
        .await?;
    c1_c6_candidate.score = 0.7;
    c1_c6_candidate.reasons = vec!["same_date_of_birth".to_owned(), "similar_name".to_owned()];
    store
        .record_duplicates(&north, &c2, &[found(c7, 0.55, &["same_docket"])], 21_001)
        .await?;
    c2_c7_candidate.score = 0.55;
    assert_eq!(
        store.duplicates(&north, None, None, 100).await?,
        vec![
            c1_c5_candidate.clone(),
            c1_c6_candidate.clone(),
            c2_c7_candidate.clone()
        ],
        "after rescoring"
    );

    // An open pair no longer found goes; the others of the intake stay.
    store
        .record_duplicates(
            &north,
            &c1,
            &[found(c6, 0.65, &["same_date_of_birth"])],
            22_000,
        )
        .await?;
    c1_c6_candidate.score = 0.65;
    c1_c6_candidate.reasons = vec!["same_date_of_birth".to_owned()];
    assert_eq!(
        store.duplicates(&north, None, None, 100).await?,
        vec![c1_c6_candidate.clone(), c2_c7_candidate.clone()],
        "after c1 stopped matching c5"
    );

    // Decisions: given the pair in either order, only in the pair's clinic.
    let linked = store
        .decide_duplicate(&north, (c6, c1), DuplicateStatus::Linked, &bob.id, 23_000)
        .await?;
    c1_c6_candidate.status = DuplicateStatus::Linked;
    c1_c6_candidate.decided_at_millis = Some(23_000);
    c1_c6_candidate.decided_by = Some(bob.id);
    assert_eq!(linked, c1_c6_candidate);
    let dismissed = store
        .decide_duplicate(&north, c2_c7, DuplicateStatus::Dismissed, &bob.id, 23_001)
        .await?;
    c2_c7_candidate.status = DuplicateStatus::Dismissed;
    c2_c7_candidate.decided_at_millis = Some(23_001);
    c2_c7_candidate.decided_by = Some(bob.id);
    assert_eq!(dismissed, c2_c7_candidate);
    assert_matches!(
        store
            .decide_duplicate(&north, (c3, c4), DuplicateStatus::Linked, &bob.id, 23_002)
            .await,
        Err(StoreError::NotFound),
        "an unknown pair"
    );
    assert_matches!(
        store
            .decide_duplicate(&north, (s1, s2), DuplicateStatus::Linked, &bob.id, 23_003)
            .await,
        Err(StoreError::NotFound),
        "a pair of another clinic"
    );
    assert_eq!(
        store.duplicates(&south, None, None, 100).await?,
        vec![s1_s2_candidate.clone()],
        "the other clinic's pair after a refused decision"
    );

    // Decided pairs survive not being found and keep their decision when found again.
    store.record_duplicates(&north, &c1, &[], 24_000).await?;
    store.record_duplicates(&north, &c7, &[], 24_001).await?;
    assert_eq!(
        store.duplicates(&north, None, None, 100).await?,
        vec![c1_c6_candidate.clone(), c2_c7_candidate.clone()],
        "decided pairs not found any more"
    );
    store
        .record_duplicates(&north, &c6, &[found(c1, 0.8, &["same_a_number"])], 25_000)
        .await?;
    store
        .record_duplicates(&north, &c2, &[found(c7, 0.3, &["same_docket"])], 25_001)
        .await?;
    c1_c6_candidate.score = 0.8;
    c1_c6_candidate.reasons = vec!["same_a_number".to_owned()];
    c2_c7_candidate.score = 0.3;
    store
        .record_duplicates(&north, &c5, &[found(c4, 0.45, &["similar_name"])], 25_002)
        .await?;
    let c4_c5_candidate = open(ordered_pair(c4, c5), 0.45, &["similar_name"], 25_002);
    assert_eq!(
        store.duplicates(&north, None, None, 100).await?,
        vec![
            c1_c6_candidate.clone(),
            c4_c5_candidate.clone(),
            c2_c7_candidate.clone()
        ],
        "decided pairs found again"
    );

    // The listing's filters and limit.
    let listed = async |status: Option<DuplicateStatus>, d: Option<DocumentId>, limit: u32| {
        store.duplicates(&north, status, d.as_ref(), limit).await
    };
    let open_only = Some(DuplicateStatus::Open);
    let linked_only = Some(DuplicateStatus::Linked);
    let dismissed_only = Some(DuplicateStatus::Dismissed);
    assert_eq!(
        listed(open_only, None, 100).await?,
        vec![c4_c5_candidate.clone()],
        "open"
    );
    assert_eq!(
        listed(linked_only, None, 100).await?,
        vec![c1_c6_candidate.clone()],
        "linked"
    );
    assert_eq!(
        listed(dismissed_only, None, 100).await?,
        vec![c2_c7_candidate.clone()],
        "dismissed"
    );
    assert_eq!(
        listed(None, Some(c2), 100).await?,
        vec![c2_c7_candidate.clone()],
        "as doc_a"
    );
    assert_eq!(
        listed(None, Some(c7), 100).await?,
        vec![c2_c7_candidate.clone()],
        "as doc_b"
    );
    assert_eq!(
        listed(None, Some(c5), 100).await?,
        vec![c4_c5_candidate.clone()],
        "c5: its removed pair stays gone"
    );
    assert_eq!(
        listed(open_only, Some(c1), 100).await?,
        vec![],
        "status and doc"
    );
    assert_eq!(
        listed(None, Some(c3), 100).await?,
        vec![],
        "a doc without pairs"
    );
    assert_eq!(
        listed(None, Some(s1), 100).await?,
        vec![],
        "another clinic's doc"
    );
    assert_eq!(
        listed(None, None, 2).await?,
        vec![c1_c6_candidate.clone(), c4_c5_candidate.clone()],
        "limit"
    );
    assert_eq!(listed(None, None, 0).await?, vec![], "limit 0");
    expected_counts.open_duplicates = 1;
    assert_eq!(store.case_counts(&north).await?, expected_counts);

    // Pages are capped at CASE_PAGE_MAX cases.
    let bulk = store.create_clinic("Bulk clinic", 1_002).await?.id;
    let dan = store
        .create_user(&new_user(bulk, "dan@example.org", Role::Volunteer))
        .await?;
    let mut bulk_rows = Vec::new();
    for i in 0..=CASE_PAGE_MAX {
        let d = DocumentId::random();
        store
            .claim_document(&owner(d, &dan, OwnedKind::Intake))
            .await?;
        bulk_rows.push(row(d, 40_000 + i64::from(i)));
    }
    store.project_cases(&bulk_rows).await?;
    let capped = store
        .list_cases(&CaseQuery {
            limit: u32::MAX,
            ..query(bulk)
        })
        .await?;
    assert_eq!(capped.cases.len(), CASE_PAGE_MAX as usize, "a capped page");
    assert_eq!(capped.total, u64::from(CASE_PAGE_MAX) + 1);
    assert!(
        store
            .duplicates(&bulk, None, None, u32::MAX)
            .await?
            .is_empty(),
        "the largest limit is clamped, not overflowed"
    );

    // unprojected_intakes: owned intakes with a document whose heads differ from the case row's.
    assert_eq!(
        store.unprojected_intakes(100).await?,
        vec![],
        "case rows without documents are not behind anything"
    );
    let [p1, p2] = [doc(0xc1), doc(0xb2)];
    for d in [p1, p2] {
        store
            .claim_document(&owner(d, &alice, OwnedKind::Intake))
            .await?;
    }
    let mut p1_doc = Intake::new();
    let p1_heads = p1_doc.edit("first")?;
    let mut p2_doc = Intake::new();
    let p2_heads = p2_doc.edit("first")?;
    let mut index = Intake::new();
    let index_heads = index.edit("index")?;
    let mut stray = Intake::new();
    let stray_heads = stray.edit("stray")?;
    store
        .append_changes(&[
            p1_doc.write(p1, &p1_heads, 30_000),
            p2_doc.write(p2, &p2_heads, 30_001),
            index.write(index_doc, &index_heads, 30_002),
            stray.write(unowned, &stray_heads, 30_003),
        ])
        .await?;
    assert_eq!(
        store.unprojected_intakes(100).await?,
        vec![(p2, 30_001), (p1, 30_000)],
        "owned intakes without a case row, in byte order"
    );
    assert_eq!(
        store.unprojected_intakes(1).await?,
        vec![(p2, 30_001)],
        "the limit"
    );
    // Projected at the heads the document store wrote: done.
    store
        .project_cases(&[CaseProjection {
            heads: p1_heads.clone(),
            ..row(p1, 30_000)
        }])
        .await?;
    assert_eq!(
        store.unprojected_intakes(100).await?,
        vec![(p2, 30_001)],
        "after projecting p1 at its heads"
    );
    // Projecting the index document changes nothing: it is never an intake.
    store
        .project_cases(&[CaseProjection {
            heads: index_heads.clone(),
            ..row(index_doc, 30_002)
        }])
        .await?;
    assert_none!(store.case(&index_doc).await?);
    // Another write to p1 leaves its row behind again, with the new write's time.
    let p1_next = p1_doc.edit("second")?;
    store
        .append_changes(&[p1_doc.write(p1, &p1_next, 31_000)])
        .await?;
    assert_eq!(
        store.unprojected_intakes(100).await?,
        vec![(p2, 30_001), (p1, 31_000)],
        "after a new write to p1"
    );
    store
        .project_cases(&[
            CaseProjection {
                heads: p1_next,
                ..row(p1, 31_000)
            },
            CaseProjection {
                heads: p2_heads,
                ..row(p2, 30_001)
            },
        ])
        .await?;
    assert_eq!(
        store.unprojected_intakes(100).await?,
        vec![],
        "everything projected"
    );
    assert_eq!(store.unprojected_intakes(0).await?, vec![], "limit 0");

    // The walk of a rules re-evaluation: owned intakes only, in byte order, resumable.
    let walk = store.intakes_after(None, 10_000).await?;
    let mut sorted = walk.clone();
    sorted.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    assert_eq!(walk, sorted, "in doc_id byte order");
    assert!(walk.contains(&p1) && walk.contains(&p2));
    assert!(!walk.contains(&index_doc) && !walk.contains(&unowned));
    let at = walk.iter().position(|d| *d == p2).expect("p2 walked");
    assert_eq!(
        store.intakes_after(Some(p2), 1).await?,
        walk.get(at + 1).copied().into_iter().collect::<Vec<_>>(),
        "resumes after the last one done"
    );
    assert_eq!(store.reevaluation_progress("rules-1").await?, None);
    let halfway = ReevaluationProgress {
        after: Some(p2),
        finished: false,
    };
    store
        .save_reevaluation_progress("rules-1", &halfway, 40_000)
        .await?;
    assert_eq!(store.reevaluation_progress("rules-1").await?, Some(halfway));
    let done = ReevaluationProgress {
        after: Some(p1),
        finished: true,
    };
    store
        .save_reevaluation_progress("rules-1", &done, 41_000)
        .await?;
    assert_eq!(store.reevaluation_progress("rules-1").await?, Some(done));
    assert_eq!(store.reevaluation_progress("rules-2").await?, None);
    Ok(())
}

/// A small Automerge document written the way the sync hub writes one.
struct Intake {
    doc: AutoCommit,
}

impl Intake {
    fn new() -> Self {
        Self {
            doc: AutoCommit::new(),
        }
    }

    /// Commits a change and returns the new heads as the hub hands them to the store (and as
    /// the projector reads them: `get_heads`, each as hex).
    fn edit(&mut self, notes: &str) -> anyhow::Result<Vec<String>> {
        self.doc.put(ROOT, "notes", notes)?;
        self.doc.commit();
        Ok(self
            .doc
            .get_heads()
            .iter()
            .map(ToString::to_string)
            .collect())
    }

    fn write(&mut self, doc: DocumentId, heads: &[String], at_millis: i64) -> DocumentWrite {
        DocumentWrite {
            doc,
            chunks: vec![Chunk {
                kind: ChunkKind::Incremental,
                hash: heads.join(""),
                data: self.doc.save_incremental(),
            }],
            heads: heads.to_vec(),
            at_millis,
        }
    }
}

/// A document ID of sixteen equal bytes, so its byte order is plain.
fn doc(byte: u8) -> DocumentId {
    DocumentId::from_bytes([byte; 16])
}

fn sorted_ids<I: IntoIterator<Item = DocumentId>>(ids: I) -> Vec<DocumentId> {
    let mut ids: Vec<DocumentId> = ids.into_iter().collect();
    ids.sort_unstable_by_key(|d| *d.as_bytes());
    ids
}

/// A plain projection: no outcome, review or conflicts yet.
fn row(doc: DocumentId, updated_at_millis: i64) -> CaseProjection {
    CaseProjection {
        doc,
        legal_name: None,
        other_names: vec![],
        name_search: String::new(),
        date_of_birth: None,
        outcome: None,
        provisional: false,
        open_conflicts: 0,
        review_state: "none".to_owned(),
        offense_count: 1,
        missing_required: 0,
        person_keys: serde_json::json!({
            "names": ["x"],
            "date_of_birth": null,
            "a_number": null,
            "dockets": ["cr 1", "cr 2"],
        }),
        identifiers: vec![],
        heads: vec!["ab".repeat(32)],
        updated_at_millis,
    }
}

fn query(clinic_id: ClinicId) -> CaseQuery {
    CaseQuery {
        clinic_id,
        outcome: None,
        review_state: None,
        has_conflicts: None,
        volunteer: None,
        updated_since_millis: None,
        name: None,
        sort: CaseSort::UpdatedAt,
        descending: false,
        limit: 100,
        offset: 0,
    }
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
}

fn found(other: DocumentId, score: f64, reasons: &[&str]) -> DetectedDuplicate {
    DetectedDuplicate {
        other,
        score,
        reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
    }
}

fn open(
    (doc_a, doc_b): (DocumentId, DocumentId),
    score: f64,
    reasons: &[&str],
    detected_at_millis: i64,
) -> DuplicateCandidate {
    DuplicateCandidate {
        doc_a,
        doc_b,
        score,
        reasons: reasons.iter().map(|r| (*r).to_owned()).collect(),
        status: DuplicateStatus::Open,
        detected_at_millis,
        decided_at_millis: None,
        decided_by: None,
    }
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

fn owner(doc: DocumentId, user: &User, kind: OwnedKind) -> DocumentOwner {
    DocumentOwner {
        doc,
        clinic_id: user.clinic_id,
        kind,
        created_by_user: user.id,
        created_by_device: None,
        created_at_millis: 2_000,
    }
}
