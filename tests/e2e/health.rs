use crate::helpers::{Backend, spawn_app};

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
