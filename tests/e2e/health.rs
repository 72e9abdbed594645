use crate::helpers::{Backend, spawn_app};

#[tokio::test]
async fn health_check_fails_when_the_database_is_gone() {
    let app = spawn_app(Backend::Postgres).await;
    let health = || async {
        app.client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .expect("request")
    };
    assert_eq!(health().await.status().as_u16(), 200);
    app.db.drop_postgres_now().await;
    let response = health().await;
    assert_eq!(response.status().as_u16(), 503);
    let body: serde_json::Value = response.json().await.expect("json");
    assert_eq!(body["status"], "unavailable");
}

#[tokio::test]
async fn health_check_answers_ok_on_every_backend() {
    for backend in Backend::ALL {
        let app = spawn_app(backend).await;
        let response = app
            .client
            .get(format!("{}/healthz", app.address))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status().as_u16(), 200, "{backend:?}");
        let body: serde_json::Value = response.json().await.expect("json");
        assert_eq!(body, serde_json::json!({"status": "ok"}), "{backend:?}");
        app.stop().await;
    }
}
