-- An import's count of warnings, for its audit record at its end: an
-- import applied in parts (SQLite) may end in another process, which
-- reads what it needs from the import's row.
ALTER TABLE payroll_imports ADD COLUMN warning_count INTEGER NOT NULL DEFAULT 0;
