//! The case index at clinic-network scale: the caseload queries supervisors run and the
//! projector's writes, on a temp-file SQLite store holding one clinic's 20,000 intakes.
//!
//! Set-up (claiming and projecting the intakes) happens once, outside every measurement.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use fieldclinic_review::duplicates::{PersonKeys, blocking_keys, normalise_name};
use fieldclinic_schema::DocumentId;
use fieldclinic_stores::SqliteStore;
use fieldclinic_stores::accounts::{
    AccountStore, ClinicId, DocumentOwner, NewUser, OwnedKind, Role, UserId,
};
use fieldclinic_stores::cases::{CaseProjection, CaseQuery, CaseSort, CaseStore};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tokio::runtime::Runtime;

/// Intakes in the clinic: a network of clinics after a few years of expungement drives.
const INTAKES: usize = 20_000;

/// Rows per `project_cases` call while filling the store, as a projector sweep writes them.
const FILL_BATCH: usize = 500;

/// Distinct dates of birth. With 20,000 intakes each date is shared by about 65 cases, so an
/// identifier lookup returns several rows, as it does for common birthdays in a real caseload.
const DATES_OF_BIRTH: usize = 300;

/// Volunteers creating intakes.
const VOLUNTEERS: usize = 20;

/// Intakes re-projected in the measured write, like one coalesced projector round.
const UPDATE_BATCH: usize = 100;

/// The caseload page the review API returns by default.
const PAGE: u32 = 50;

const FIRST_NAMES: &[&str] = &[
    "José",
    "María",
    "Ana",
    "Luis",
    "Carlos",
    "Guadalupe",
    "Juan",
    "Rosa",
    "Miguel",
    "Sofía",
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "Michael",
    "Linda",
    "David",
    "Barbara",
    "William",
    "Elizabeth",
    "Nguyen",
    "Thi",
    "Mohammed",
    "Fatima",
    "Aisha",
    "Omar",
    "Chen",
    "Wei",
    "Olga",
    "Dmitri",
    "Siobhan",
    "Seán",
    "Kwame",
    "Ama",
    "Priya",
    "Rahul",
    "Jean-Luc",
    "Zoë",
    "Björn",
    "Chidi",
];

const LAST_NAMES: &[&str] = &[
    "García",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Pérez",
    "Sánchez",
    "Ramírez",
    "Torres",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Wilson",
    "Anderson",
    "Taylor",
    "Nguyen",
    "Tran",
    "Le",
    "Pham",
    "Okafor",
    "Mensah",
    "Ali",
    "Hassan",
    "Khan",
    "Patel",
    "O'Brien",
    "MacDonald",
    "Kowalski",
    "Ivanova",
    "Müller",
    "Jensen",
    "Dubois",
    "Rossi",
    "Kim",
    "Park",
];

/// A filled store and what the benchmarks look up in it.
struct Caseload {
    // Kept so the database file outlives the store.
    _dir: tempfile::TempDir,
    store: SqliteStore,
    clinic: ClinicId,
    rows: Vec<CaseProjection>,
}

/// A deterministic caseload: the same seed gives the same intakes on every run.
fn generate(rng: &mut StdRng, doc: DocumentId, i: usize) -> CaseProjection {
    let first = FIRST_NAMES[rng.random_range(0..FIRST_NAMES.len())];
    let last = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
    let legal_name = format!("{first} {last}");
    let other_names: Vec<String> = if rng.random_bool(0.2) {
        let other = LAST_NAMES[rng.random_range(0..LAST_NAMES.len())];
        vec![format!("{first} {last}-{other}")]
    } else {
        vec![]
    };
    let mut names: Vec<String> = Vec::new();
    for n in std::iter::once(&legal_name).chain(&other_names) {
        let n = normalise_name(n);
        if !names.contains(&n) {
            names.push(n);
        }
    }
    let day = rng.random_range(0..DATES_OF_BIRTH);
    let date_of_birth = format!(
        "19{:02}-{:02}-{:02}",
        60 + day % 40,
        1 + day % 12,
        1 + day % 28
    );
    let conflicted = rng.random_bool(0.05);
    let outcome = match rng.random_range(0..10) {
        0 => None,
        1 | 2 => Some("NOT_ELIGIBLE"),
        3 | 4 => Some("NEEDS_MORE_INFO"),
        _ => Some("ELIGIBLE"),
    };
    let review_state = match rng.random_range(0..10) {
        0..=5 => "none",
        6 | 7 => "approved",
        8 => "needs_info",
        _ => "rejected",
    };
    let keys = PersonKeys {
        names: names.clone(),
        date_of_birth: Some(date_of_birth.clone()),
        a_number: rng
            .random_bool(0.3)
            .then(|| format!("{:09}", 200_000_000 + i)),
        dockets: (0..rng.random_range(1..4))
            .map(|k| format!("cr {} {}", 2000 + rng.random_range(0..25), i * 4 + k))
            .collect(),
    };
    CaseProjection {
        doc,
        legal_name: Some(legal_name),
        other_names,
        name_search: names.join(" | "),
        date_of_birth: Some(date_of_birth),
        outcome: outcome.map(str::to_owned),
        provisional: conflicted,
        open_conflicts: if conflicted {
            rng.random_range(1..3)
        } else {
            0
        },
        review_state: review_state.to_owned(),
        offense_count: u32::try_from(keys.dockets.len()).unwrap_or(u32::MAX),
        missing_required: rng.random_range(0..3),
        person_keys: serde_json::to_value(&keys).expect("person keys serialise"),
        identifiers: blocking_keys(&keys)
            .into_iter()
            .map(|(kind, value)| (kind.to_owned(), value))
            .collect(),
        heads: vec![hex_head(i)],
        // About one change every 25 minutes over the year the caseload was built.
        updated_at_millis: 1_700_000_000_000 + i64::try_from(i).unwrap_or(0) * 1_500_000,
    }
}

fn hex_head(i: usize) -> String {
    format!("{i:064x}")
}

async fn fill() -> anyhow::Result<Caseload> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("cases.db").display());
    let store = SqliteStore::connect(&url).await?;
    let clinic = store.create_clinic("Network clinic", 1_000).await?.id;
    let mut volunteers: Vec<UserId> = Vec::with_capacity(VOLUNTEERS);
    for v in 0..VOLUNTEERS {
        let user = store
            .create_user(&NewUser {
                clinic_id: clinic,
                email: format!("volunteer{v}@example.org"),
                role: Role::Volunteer,
                password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".to_owned(),
                index_doc: DocumentId::random(),
                at_millis: 1_000,
            })
            .await?;
        volunteers.push(user.id);
    }
    let mut rng = StdRng::seed_from_u64(0xCA5E);
    let mut rows = Vec::with_capacity(INTAKES);
    for i in 0..INTAKES {
        let doc = DocumentId::from_bytes(rng.random());
        store
            .claim_document(&DocumentOwner {
                doc,
                clinic_id: clinic,
                kind: OwnedKind::Intake,
                created_by_user: volunteers[i % VOLUNTEERS],
                created_by_device: None,
                created_at_millis: 1_000,
            })
            .await?;
        rows.push(generate(&mut rng, doc, i));
    }
    for batch in rows.chunks(FILL_BATCH) {
        store.project_cases(batch).await?;
    }
    Ok(Caseload {
        _dir: dir,
        store,
        clinic,
        rows,
    })
}

fn query(clinic: ClinicId) -> CaseQuery {
    // The review API's defaults: newest first, one page.
    CaseQuery {
        clinic_id: clinic,
        outcome: None,
        review_state: None,
        has_conflicts: None,
        volunteer: None,
        updated_since_millis: None,
        name: None,
        sort: CaseSort::UpdatedAt,
        descending: true,
        limit: PAGE,
        offset: 0,
    }
}

fn case_index(c: &mut Criterion) {
    let rt = Runtime::new().expect("a tokio runtime");
    let caseload = rt.block_on(fill()).expect("filling the case index");
    let store = &caseload.store;
    let clinic = caseload.clinic;

    let mut g = c.benchmark_group("case_index");
    g.throughput(Throughput::Elements(1));
    let first_page = query(clinic);
    g.bench_function("list_cases_first_page", |b| {
        b.iter(|| {
            rt.block_on(store.list_cases(black_box(&first_page)))
                .expect("query")
        })
    });
    let filtered = CaseQuery {
        outcome: Some("ELIGIBLE".to_owned()),
        has_conflicts: Some(true),
        ..query(clinic)
    };
    g.bench_function("list_cases_outcome_and_conflicts", |b| {
        b.iter(|| {
            rt.block_on(store.list_cases(black_box(&filtered)))
                .expect("query")
        })
    });
    let by_name = CaseQuery {
        name: Some(normalise_name("garcía")),
        ..query(clinic)
    };
    g.bench_function("list_cases_name_search", |b| {
        b.iter(|| {
            rt.block_on(store.list_cases(black_box(&by_name)))
                .expect("query")
        })
    });
    g.bench_function("case_counts", |b| {
        b.iter(|| {
            rt.block_on(store.case_counts(black_box(&clinic)))
                .expect("query")
        })
    });
    // A typical case: a shared date of birth, an A-number or not, and its dockets.
    let typical = &caseload.rows[INTAKES / 2];
    g.bench_function("cases_sharing_identifiers", |b| {
        b.iter(|| {
            rt.block_on(store.cases_sharing_identifiers(
                &clinic,
                black_box(&typical.doc),
                black_box(&typical.identifiers),
            ))
            .expect("identifier lookup")
        })
    });

    // Each round re-projects the next 100 intakes with a later time and new heads, so every
    // row is really replaced (an equal or older time would be skipped by the stale-write guard).
    g.throughput(Throughput::Elements(UPDATE_BATCH as u64));
    let mut round: i64 = 0;
    g.bench_function("project_cases_100_updates", |b| {
        b.iter_batched(
            || {
                round += 1;
                let start = usize::try_from(round).unwrap_or(0) * UPDATE_BATCH % INTAKES;
                caseload.rows[start..start + UPDATE_BATCH]
                    .iter()
                    .map(|r| CaseProjection {
                        review_state: "approved".to_owned(),
                        heads: vec![hex_head(INTAKES + usize::try_from(round).unwrap_or(0))],
                        updated_at_millis: 1_800_000_000_000 + round,
                        ..r.clone()
                    })
                    .collect::<Vec<_>>()
            },
            |batch| {
                rt.block_on(store.project_cases(&batch))
                    .expect("projection")
            },
            BatchSize::SmallInput,
        );
    });
    g.finish();
    rt.block_on(store.close());
}

criterion_group! {
    name = benches;
    // Twenty samples of a few seconds each keep the whole run to a couple of minutes on a
    // shared two-core machine; the set-up above takes longer than the measurements.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = case_index
}
criterion_main!(benches);
