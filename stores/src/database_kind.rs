/// Which database a URL names; chosen once at startup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// `sqlite:` URLs, the embedded default (`sqlite://data/fieldclinic.db`).
    Sqlite,
    /// `postgres://` or `postgresql://` URLs.
    Postgres,
}

/// A database URL whose scheme no backend serves.
///
/// Only the scheme is kept, so the error can be logged without leaking a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unsupported database URL scheme `{scheme}`: expected `sqlite:`, `postgres://` or `postgresql://`"
)]
pub struct UnsupportedDatabaseUrl {
    scheme: String,
}

impl DatabaseKind {
    /// The backend a database URL selects.
    ///
    /// # Errors
    /// When the URL is neither `sqlite:…` nor `postgres://…`/`postgresql://…`.
    pub fn from_url(url: &str) -> Result<Self, UnsupportedDatabaseUrl> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            let scheme = url.split_once(':').map_or("", |(scheme, _)| scheme);
            // Keep only what can be a URL scheme: anything else may be a secret pasted in the
            // wrong place, and this error is logged.
            let is_scheme = scheme.len() <= 32
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            let scheme = if is_scheme { scheme } else { "" };
            Err(UnsupportedDatabaseUrl {
                scheme: scheme.to_owned(),
            })
        }
    }
}

/// Connects (and migrates) the backend a database URL names and evaluates `$body` with the store
/// bound to `$store`: the one place the backend is chosen, so the code after it stays generic
/// (static dispatch, no `dyn Store`). Use it in a function returning `anyhow::Result`.
#[macro_export]
macro_rules! with_store {
    ($url:expr, |$store:ident| $body:expr) => {{
        let url: &str = $url;
        match $crate::DatabaseKind::from_url(url)? {
            $crate::DatabaseKind::Sqlite => {
                let $store = $crate::SqliteStore::connect(url).await?;
                $body
            }
            $crate::DatabaseKind::Postgres => {
                let $store = $crate::PostgresStore::connect(url).await?;
                $body
            }
        }
    }};
}

#[cfg(test)]
mod tests {
    use claims::{assert_err, assert_ok_eq};

    use super::DatabaseKind;

    #[test]
    fn sqlite_urls_select_sqlite() {
        for url in [
            "sqlite://data/fieldclinic.db",
            "sqlite::memory:",
            "sqlite:/var/lib/fc.db",
        ] {
            assert_ok_eq!(DatabaseKind::from_url(url), DatabaseKind::Sqlite, "{url}");
        }
    }

    #[test]
    fn postgres_urls_select_postgres() {
        for url in [
            "postgres://u:p@localhost/fc",
            "postgresql://localhost:5432/fc",
        ] {
            assert_ok_eq!(DatabaseKind::from_url(url), DatabaseKind::Postgres, "{url}");
        }
    }

    #[test]
    fn other_schemes_are_rejected_without_echoing_the_url() {
        for url in [
            "mysql://root:hunter2@db/fc",
            "data/fieldclinic.db",
            "postgres:fc",
            "",
        ] {
            let e = assert_err!(DatabaseKind::from_url(url), "{url}");
            assert!(!e.to_string().contains("hunter2"), "{url}: {e}");
        }
    }
}
