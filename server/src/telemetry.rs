//! Logging set-up: one subscriber, JSON lines or human-readable, filtered by `RUST_LOG` or the
//! configured default.

use tracing::Subscriber;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Registry, fmt};

use crate::configuration::LogFormat;

/// A subscriber writing to `sink`.
pub fn get_subscriber<Sink>(
    default_filter: &str,
    format: LogFormat,
    sink: Sink,
) -> Box<dyn Subscriber + Send + Sync>
where
    Sink: for<'a> fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    let registry = Registry::default().with(filter);
    match format {
        LogFormat::Json => Box::new(registry.with(fmt::layer().json().with_writer(sink))),
        LogFormat::Pretty => Box::new(registry.with(fmt::layer().with_writer(sink))),
    }
}

/// Installs `subscriber` for the process (once; later calls are ignored).
pub fn init_subscriber(subscriber: Box<dyn Subscriber + Send + Sync>) {
    // A second initialisation (tests start many apps in one process) keeps the first.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// Request spans that record the matched route pattern, never the raw target: a query string
/// may carry a sync ticket.
#[derive(Debug, Clone, Copy)]
pub struct RouteSpan;

impl tracing_actix_web::RootSpanBuilder for RouteSpan {
    fn on_request_start(request: &actix_web::dev::ServiceRequest) -> tracing::Span {
        let route = request
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        let method = request.method().to_string();
        tracing::info_span!("http_request", http.method = %method, http.route = %route, http.status = tracing::field::Empty)
    }

    fn on_request_end<B: actix_web::body::MessageBody>(
        span: tracing::Span,
        outcome: &Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>,
    ) {
        if let Ok(response) = outcome {
            span.record("http.status", response.status().as_u16());
        }
    }
}
