//! HTTP routes, one module per resource.

mod health;

pub use health::health_check;
