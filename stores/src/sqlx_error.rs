use fieldclinic_sync::StoreError;

/// Maps every `sqlx` failure of both backends to a [`StoreError`]; the orphan rule forbids a
/// `From` impl here, so each query ends in `.map_err(store_error)`.
///
/// A foreign-key violation means a write named a clinic, user, device or document that does not
/// exist, which callers handle like any other missing row: `NotFound`.
pub(crate) fn store_error(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::RowNotFound => StoreError::NotFound,
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            StoreError::Conflict(db.message().to_owned())
        }
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::NotFound,
        e => StoreError::other(e),
    }
}

#[cfg(test)]
mod tests {
    use claims::assert_matches;
    use fieldclinic_sync::StoreError;

    use super::store_error;

    #[test]
    fn a_missing_row_is_not_found() {
        assert_matches!(store_error(sqlx::Error::RowNotFound), StoreError::NotFound);
    }

    #[test]
    fn other_failures_keep_their_cause() {
        let e = store_error(sqlx::Error::PoolTimedOut);
        assert_matches!(e, StoreError::Other(ref cause) if cause.to_string().contains("timed out"));
    }
}
