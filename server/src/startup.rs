//! Building and running the application: the store chosen by URL scheme, the sync hub, the HTTP
//! server, and a graceful shutdown that flushes every document.

use std::future::Future;
use std::net::TcpListener;
use std::pin::Pin;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, web};
use anyhow::Context;
use fieldclinic_sync::Hub;
use secrecy::ExposeSecret;
use tracing_actix_web::TracingLogger;

use tokio_util::sync::CancellationToken;

use crate::audit::Audit;
use crate::auth::LoginLimiter;
use crate::case_index::Projector;
use crate::configuration::Settings;
use crate::indexer::Indexer;
use crate::pipeline::{Pipeline, worker_queue};
use crate::policy::ClinicPolicy;
use crate::state::{AppState, AppStore, CaseEvents, DashboardSettings, SyncLimits};
use crate::{dashboard, routes, tls, ws};

type ShutdownFn = Box<dyn FnOnce() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send>;

/// A built, bound, not yet running server.
pub struct Application {
    port: u16,
    server: Server,
    shutdown_hub: ShutdownFn,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Connects the database (running migrations), builds the hub and binds the listener.
    ///
    /// # Errors
    /// When the database, the address or the TLS files are unusable.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        settings.server.check_transport_security()?;
        let url = settings.database.url.expose_secret().to_owned();
        fieldclinic_stores::with_store!(&url, |store| Self::build_with(store, &settings).await)
    }

    async fn build_with<S: AppStore>(store: S, settings: &Settings) -> anyhow::Result<Self> {
        let audit = Audit::start(store.clone());
        let index_queue = worker_queue();
        let cases_queue = worker_queue();
        let pipeline = Pipeline::new()
            .feeding(index_queue.clone())
            .feeding(cases_queue.clone());
        let policy = ClinicPolicy::new(store.clone(), audit.clone(), pipeline);
        let hub = Hub::new(store.clone(), policy, settings.hub_settings())
            .await
            .context("Failed to read the server's storage ID")?;
        let indexer = Indexer::start(index_queue, hub.clone());
        let (events_tx, _) = tokio::sync::broadcast::channel(1024);
        let projector = Projector::start(cases_queue, store.clone(), events_tx.clone());
        let closing_pages = CancellationToken::new();
        let listener = TcpListener::bind(&settings.server.bind)
            .with_context(|| format!("Failed to bind {}", settings.server.bind))?;
        let port = listener.local_addr()?.port();
        let state = web::Data::new(AppState {
            store,
            hub: hub.clone(),
            audit: audit.clone(),
            limiter: LoginLimiter::new(),
            events: CaseEvents {
                sender: events_tx,
                closing: closing_pages.clone(),
            },
            dashboard: DashboardSettings {
                secure_cookies: settings.server.tls_cert.is_some()
                    || settings.server.behind_tls_proxy,
            },
            sync_limits: SyncLimits {
                max_message_bytes: settings.sync.max_message_bytes,
            },
        });
        let http =
            HttpServer::new(move || {
                App::new()
                    .wrap(TracingLogger::<crate::telemetry::RouteSpan>::new())
                    .app_data(state.clone())
                    .app_data(web::FormConfig::default().limit(64 * 1024))
                    .app_data(
                        web::JsonConfig::default()
                            .limit(64 * 1024)
                            .error_handler(|e, _| {
                                crate::error::ApiError::Validation(e.to_string()).into()
                            }),
                    )
                    .app_data(web::QueryConfig::default().error_handler(|e, _| {
                        crate::error::ApiError::Validation(e.to_string()).into()
                    }))
                    .route("/healthz", web::get().to(routes::health_check::<S>))
                    .route("/sync", web::get().to(ws::sync_socket::<S>))
                    .service(web::scope("/api/v1").configure(routes::configure_api::<S>))
                    .configure(dashboard::configure::<S>)
                    .configure(crate::app_assets::configure)
            })
            .disable_signals()
            .shutdown_timeout(settings.server.shutdown_timeout_secs);
        let http = match (&settings.server.tls_cert, &settings.server.tls_key) {
            (Some(cert), Some(key)) => {
                http.listen_rustls_0_23(listener, tls::server_config(cert, key)?)?
            }
            _ => http.listen(listener)?,
        };
        tracing::info!(port, storage.id = %hub.storage_id(), "listening");
        let server = http.run();
        let stop_watch = CancellationToken::new();
        tokio::spawn(crate::revocation_watch::watch(
            hub.clone(),
            stop_watch.clone(),
        ));
        // Another instance's write reaches this instance's devices: the loaded document reloads
        // from the database and syncs the new changes to its peers.
        let (changed_tx, mut changed_rx) = tokio::sync::mpsc::channel(1024);
        if hub.store().follow(changed_tx, stop_watch.clone()).is_some() {
            let hub = hub.clone();
            tokio::spawn(async move {
                while let Some(doc) = changed_rx.recv().await {
                    hub.refresh(doc).await;
                }
            });
        }
        tokio::spawn(crate::rules_upgrade::run(hub.clone(), stop_watch.clone()));
        tokio::spawn(crate::housekeeping::purge_expired_credentials(
            hub.store().clone(),
            stop_watch.clone(),
        ));
        let shutdown_hub: ShutdownFn = Box::new(move || {
            Box::pin(async move {
                stop_watch.cancel();
                closing_pages.cancel();
                // Devices stop writing, the waiting index updates land, then documents flush.
                hub.close_connections(|_| true);
                indexer.shutdown().await;
                hub.shutdown().await;
                projector.shutdown().await;
                // Audit entries of the last changes are written before the process ends.
                audit.flush().await;
            })
        });
        Ok(Self {
            port,
            server,
            shutdown_hub,
        })
    }

    /// The bound port (useful with port 0).
    #[must_use]
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Runs until SIGTERM or SIGINT, then stops gracefully (see [`Application::run_until`]).
    ///
    /// # Errors
    /// When the HTTP server fails.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Runs until `stop` completes, then closes every sync connection, flushes every document
    /// and lets open requests finish.
    ///
    /// # Errors
    /// When the HTTP server fails.
    pub async fn run_until(self, stop: impl Future<Output = ()>) -> anyhow::Result<()> {
        let handle = self.server.handle();
        // The server future must keep being polled for a graceful stop to complete.
        let mut task = tokio::spawn(self.server);
        tokio::select! {
            result = &mut task => return result.context("HTTP server task failed")?.context("HTTP server failed"),
            () = stop => tracing::info!("shutting down"),
        }
        (self.shutdown_hub)().await;
        handle.stop(true).await;
        task.await
            .context("HTTP server task failed")?
            .context("HTTP server failed")?;
        tracing::info!("stopped");
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
