//! Each user's index document, written only by the server, lists the intakes that user may open
//! with their outcome, and follows server-side updates; on both backends.

use std::time::Duration;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT, ReadDoc, Value};
use fieldclinic_loadtool::simulator::{Device, FindOutcome};
use fieldclinic_schema::{DocumentId, Intake, Offense, Person};
use fieldclinic_stores::accounts::Role;

use crate::helpers::{Account, Backend, TestApp, TestStore, spawn_app};

/// How long a device waits for the server (a bound, never a timing assertion).
const WAIT: Duration = Duration::from_secs(15);

fn intake(name: &str, offense_date: Option<&str>) -> Intake {
    Intake {
        person: Person {
            legal_name: Some(name.to_owned()),
            status_now: Some("us_citizen".into()),
            citizen_or_lpr_since: Some("birth".into()),
            status_at_offense: Some("us_citizen".into()),
            ..Person::default()
        },
        offenses: vec![Offense {
            id: Some("o1".into()),
            citation: Some("21 U.S.C. 844".into()),
            substance: Some("marijuana".into()),
            conduct: Some("possession".into()),
            offense_date: offense_date.map(str::to_owned),
            disposition: Some("convicted".into()),
            jurisdiction: Some("federal".into()),
            ..Offense::default()
        }],
        ..Intake::new()
    }
}

fn index_id(account: &Account) -> DocumentId {
    DocumentId::from_url(&account.index_url).expect("index_url is an automerge URL")
}

/// A string field of the index entry for `intake_url`, if the entry exists.
fn entry_field(doc: &AutoCommit, intake_url: &str, field: &str) -> Option<String> {
    let Ok(Some((Value::Object(ObjType::Map), intakes))) = doc.get(ROOT, "intakes") else {
        return None;
    };
    let Ok(Some((Value::Object(ObjType::Map), entry))) = doc.get(&intakes, intake_url) else {
        return None;
    };
    match doc.get(&entry, field) {
        Ok(Some((Value::Scalar(s), _))) => Some(match s.as_ref() {
            automerge::ScalarValue::Str(s) => s.to_string(),
            other => other.to_string(),
        }),
        _ => None,
    }
}

/// An ephemeral device of `who`, connected, holding `who`'s index document.
async fn index_reader(app: &TestApp, who: &Account) -> Device {
    let mut d = Device::ephemeral(&format!("index-{}", uuid::Uuid::new_v4().simple()))
        .expect("device")
        .with_timeout(WAIT);
    d.connect(&app.ws_url_for(&who.device_token).await)
        .await
        .expect("connect");
    assert!(
        matches!(
            d.find(index_id(who)).await.expect("find answered"),
            FindOutcome::Found { .. }
        ),
        "{}'s index document is readable by their device",
        who.email
    );
    d
}

/// Waits (bounded by the device's timeout) until `who`'s index lists `intake_url` with `outcome`.
async fn wait_for_outcome(reader: &mut Device, who: &Account, intake_url: &str, outcome: &str) {
    let index = index_id(who);
    let waited = reader
        .wait_until(&index, |doc| {
            entry_field(doc, intake_url, "outcome").as_deref() == Some(outcome)
        })
        .await;
    let got = reader
        .document(&index)
        .and_then(|d| entry_field(d.doc(), intake_url, "outcome"));
    assert!(
        waited.is_ok(),
        "{}'s index should list {intake_url} with outcome {outcome}, has {got:?}",
        who.email
    );
}

async fn check_index_documents(backend: Backend) {
    // Arrange
    let app = spawn_app(backend).await;
    let store = TestStore::connect(&app.db.url).await;
    let clinic = store.clinic("Clinic A").await;
    let other_clinic = store.clinic("Clinic B").await;
    let volunteer = store.account(clinic, Role::Volunteer).await;
    let supervisor = store.account(clinic, Role::Supervisor).await;
    let colleague = store.account(clinic, Role::Volunteer).await;
    let outsider = store.account(other_clinic, Role::Supervisor).await;

    // Act: the volunteer's tablet pushes an intake.
    let mut tablet = Device::persistent(&format!("tablet-{}", uuid::Uuid::new_v4().simple()))
        .expect("device")
        .with_timeout(WAIT);
    let id = tablet
        .create_intake(&intake("Ana Diaz", None))
        .expect("create");
    tablet
        .connect(&app.ws_url_for(&volunteer.device_token).await)
        .await
        .expect("connect");
    tablet.sync(&[id]).await.expect("pushed");
    let first = tablet
        .intake(&id)
        .expect("read")
        .determination
        .expect("the server's determination came back")
        .outcome;
    let url = id.url();

    // Assert: the volunteer's second device and the supervisor see it in their index.
    let mut phone = index_reader(&app, &volunteer).await;
    wait_for_outcome(&mut phone, &volunteer, &url, &first).await;
    let on_phone = phone.document(&index_id(&volunteer)).expect("held").doc();
    assert_eq!(
        entry_field(on_phone, &url, "legal_name").as_deref(),
        Some("Ana Diaz"),
        "{backend:?}"
    );
    assert_eq!(
        entry_field(on_phone, &url, "document_id"),
        Some(id.to_string()),
        "{backend:?}"
    );
    assert_eq!(
        entry_field(on_phone, &url, "review_state").as_deref(),
        Some("none"),
        "{backend:?}"
    );
    let mut desk = index_reader(&app, &supervisor).await;
    wait_for_outcome(&mut desk, &supervisor, &url, &first).await;

    // Act: a device writes into its own index document.
    let index = index_id(&volunteer);
    let before = store.heads(&index).await;
    let mut forger = Device::ephemeral(&format!("forger-{}", uuid::Uuid::new_v4().simple()))
        .expect("device")
        .with_timeout(Duration::from_secs(3));
    let copy = phone.document(&index).expect("held").doc().clone();
    forger.insert_document(index, copy);
    forger
        .edit_document(&index, |doc| {
            let intakes = match doc.get(ROOT, "intakes")? {
                Some((Value::Object(ObjType::Map), obj)) => obj,
                _ => doc.put_object(ROOT, "intakes", ObjType::Map)?,
            };
            let fake = doc.put_object(&intakes, DocumentId::random().url(), ObjType::Map)?;
            doc.put(&fake, "outcome", "ELIGIBLE")
        })
        .expect("local edit");
    forger
        .connect(&app.ws_url_for(&volunteer.device_token).await)
        .await
        .expect("connect");
    let pushed = forger.sync(&[index]).await;

    // Assert: the server did not apply it.
    assert!(
        pushed.is_err(),
        "{backend:?}: a device's change to its index was acknowledged"
    );
    assert_eq!(
        store.heads(&index).await,
        before,
        "{backend:?}: a device's change reached the stored index"
    );

    // Act: the volunteer adds the missing fact, which changes the server's outcome.
    tablet
        .edit_intake(&id, |i| {
            i.offenses[0].offense_date = Some("2015-06-01".into());
        })
        .expect("edit");
    tablet.sync(&[id]).await.expect("pushed");
    let second = tablet
        .intake(&id)
        .expect("read")
        .determination
        .expect("determination")
        .outcome;
    assert_ne!(
        first, second,
        "{backend:?}: the edit should change the outcome"
    );

    // Assert: both indexes follow.
    wait_for_outcome(&mut phone, &volunteer, &url, &second).await;
    wait_for_outcome(&mut desk, &supervisor, &url, &second).await;

    // Assert: after two rounds of index writes, nobody else got the entry.
    for (who, case) in [
        (&colleague, "a colleague volunteer"),
        (&outsider, "another clinic's supervisor"),
    ] {
        let reader = index_reader(&app, who).await;
        let doc = reader.document(&index_id(who)).expect("held").doc();
        assert_eq!(
            entry_field(doc, &url, "outcome"),
            None,
            "{backend:?}: {case}'s index lists the intake"
        );
    }
    phone.disconnect().await;
    desk.disconnect().await;
    tablet.disconnect().await;
    forger.disconnect().await;
    app.stop().await;
}

#[tokio::test]
async fn index_documents_list_what_each_user_may_open_and_follow_the_server() {
    for backend in Backend::ALL {
        check_index_documents(backend).await;
    }
}
