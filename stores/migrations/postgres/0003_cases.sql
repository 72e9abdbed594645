-- The case index: a projection of every intake for supervisors' caseload queries, and the
-- duplicate-person candidates found between intakes (PostgreSQL).
-- Kept in lockstep with ../sqlite/0003_cases.sql: only the column types differ (BYTEA vs BLOB,
-- BIGINT/BOOLEAN vs INTEGER, DOUBLE PRECISION vs REAL), and the sorted text columns are COLLATE "C"
-- so PostgreSQL orders pages bytewise like SQLite, whatever the cluster's locale.
--
-- Every row here is derived from the intake documents and can be rebuilt from them: the server
-- re-projects any intake whose `heads` differ from its document's at startup, so a crash between
-- a document write and its projection heals itself.

CREATE TABLE cases (
    doc_id BYTEA PRIMARY KEY NOT NULL REFERENCES document_owners (doc_id),
    clinic_id TEXT NOT NULL REFERENCES clinics (id),
    -- The volunteer whose device created the intake.
    created_by_user TEXT NOT NULL REFERENCES users (id),
    -- As entered, for display.
    legal_name TEXT,
    -- JSON array of the other names, as entered.
    other_names TEXT NOT NULL,
    -- Normalised names (lower-case, no accents or punctuation) joined by ' | ', for name search.
    name_search TEXT COLLATE "C" NOT NULL,
    date_of_birth TEXT COLLATE "C",
    -- ELIGIBLE, NOT_ELIGIBLE or NEEDS_MORE_INFO; NULL until the server evaluated the intake.
    outcome TEXT COLLATE "C",
    -- True while a legal conflict is open.
    provisional BOOLEAN NOT NULL,
    -- How many legal fields hold concurrent values.
    open_conflicts BIGINT NOT NULL,
    -- none, approved, needs_info or rejected.
    review_state TEXT NOT NULL,
    offense_count BIGINT NOT NULL,
    -- Required certificate checklist items still missing.
    missing_required BIGINT NOT NULL,
    -- JSON of the normalised identity used to score duplicate candidates.
    person_keys TEXT NOT NULL,
    -- The document heads this row was projected from (documents.heads format).
    heads TEXT NOT NULL,
    -- Milliseconds since the Unix epoch of the projected change (server clock).
    updated_at BIGINT NOT NULL
);
-- Caseload pages: newest first within a clinic, optionally by outcome or review state.
CREATE INDEX cases_clinic_updated ON cases (clinic_id, updated_at);
-- Also covers the caseload counts (grouped by these columns in this order) and the outcome
-- filter's conflict test, so neither reads the table's rows: at 20,000 cases the counts went
-- from about 50 ms to about 3 ms on SQLite (server/benches/case_index.rs).
CREATE INDEX cases_clinic_outcome ON cases (clinic_id, outcome, review_state, open_conflicts);
CREATE INDEX cases_clinic_review ON cases (clinic_id, review_state);

-- Identifiers that bring duplicate candidates together without scanning a clinic: date of
-- birth, A-number, docket numbers (all normalised).
CREATE TABLE case_identifiers (
    doc_id BYTEA NOT NULL REFERENCES cases (doc_id),
    clinic_id TEXT NOT NULL,
    -- 'dob', 'a_number' or 'docket'.
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (doc_id, kind, value)
);
CREATE INDEX case_identifiers_lookup ON case_identifiers (clinic_id, kind, value);

-- Pairs of intakes that may describe the same person. Never deleted once a supervisor decided;
-- open pairs that no longer match after an edit are removed.
CREATE TABLE duplicate_candidates (
    -- The pair in byte order (doc_a < doc_b), so each pair has one row.
    doc_a BYTEA NOT NULL REFERENCES cases (doc_id),
    doc_b BYTEA NOT NULL REFERENCES cases (doc_id),
    clinic_id TEXT NOT NULL,
    -- 0..1, higher is likelier.
    score DOUBLE PRECISION NOT NULL,
    -- JSON array of match reasons (same_a_number, same_date_of_birth, ...).
    reasons TEXT NOT NULL,
    -- 'open', 'linked' (confirmed the same person) or 'dismissed' (different people).
    status TEXT NOT NULL CHECK (status IN ('open', 'linked', 'dismissed')),
    detected_at BIGINT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT REFERENCES users (id),
    PRIMARY KEY (doc_a, doc_b),
    CHECK (doc_a < doc_b)
);
CREATE INDEX duplicate_candidates_clinic ON duplicate_candidates (clinic_id, status, score);
CREATE INDEX duplicate_candidates_doc_b ON duplicate_candidates (doc_b);
