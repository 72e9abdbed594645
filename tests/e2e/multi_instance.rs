//! Several server instances sharing one PostgreSQL database: a change one instance accepts
//! reaches devices connected to another (LISTEN/NOTIFY), without reconnecting.

use fieldclinic_loadtool::simulator::{Device, FindOutcome};
use fieldclinic_schema::Intake;

use crate::helpers::{Backend, TestDatabase, spawn_app_on};

#[tokio::test]
async fn a_change_accepted_by_one_instance_reaches_devices_on_another() {
    let db = TestDatabase::new(Backend::Postgres).await;
    let first = spawn_app_on(db.alias()).await;
    let second = spawn_app_on(db).await;

    let mut x = Device::persistent("on-the-first").expect("device");
    let mut intake = Intake::new();
    intake.person.legal_name = Some("Lou Twoservers".into());
    let doc = x.create_intake(&intake).expect("intake");
    x.connect(&first.ws_url())
        .await
        .expect("connect to the first");
    x.sync(&[doc]).await.expect("stored by the first");

    let mut y = Device::ephemeral("on-the-second").expect("device");
    y.connect(&second.ws_url())
        .await
        .expect("connect to the second");
    assert!(matches!(
        y.find(doc).await.expect("find"),
        FindOutcome::Found { .. }
    ));
    y.edit_intake(&doc, |i| {
        i.notes = Some("added through the second instance".into())
    })
    .expect("edit");
    y.sync(&[doc]).await.expect("stored by the second");
    let heads = y.heads(&doc).expect("heads");

    // X never reconnects: the first instance must push the change it did not receive itself.
    x.wait_for_heads(&doc, &heads)
        .await
        .expect("the first instance's device receives the second's change");
    assert_eq!(
        x.intake(&doc).expect("intake").notes.as_deref(),
        Some("added through the second instance")
    );
    second.stop().await;
    first.stop().await;
}
