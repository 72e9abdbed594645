-- Re-evaluating every intake after the eligibility rules change, one row per rules version:
-- where the walk stands (the last intake done, in doc_id order), so a restart resumes instead of
-- starting over, and when it finished, so a finished version is never walked again.
CREATE TABLE rules_reevaluations (
    rules_version TEXT PRIMARY KEY NOT NULL,
    after_doc BLOB CHECK (after_doc IS NULL OR length(after_doc) = 16),
    started_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    finished_at INTEGER
);
