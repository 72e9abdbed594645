//! End-to-end suites live in `e2e/`; this library is empty on purpose.
