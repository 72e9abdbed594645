-- Re-evaluating every intake after the eligibility rules change, one row per rules version:
-- where the walk stands (the last intake done, in doc_id order), so a restart resumes instead of
-- starting over, and when it finished, so a finished version is never walked again.
CREATE TABLE rules_reevaluations (
    rules_version TEXT PRIMARY KEY,
    after_doc BYTEA CHECK (after_doc IS NULL OR octet_length(after_doc) = 16),
    started_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
