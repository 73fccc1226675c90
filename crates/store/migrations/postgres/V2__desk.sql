-- The desk (#15 §2), as SQLite's v8: each visit and audit line names the desk that wrote it (NULL for rows written
-- before, and for a desk without a name).
ALTER TABLE visits ADD COLUMN desk TEXT COLLATE "C" CONSTRAINT visit_desk_length CHECK (length(desk) BETWEEN 1 AND 40);
ALTER TABLE audit_log ADD COLUMN desk TEXT COLLATE "C" CONSTRAINT audit_desk_length CHECK (length(desk) BETWEEN 1 AND 40);
