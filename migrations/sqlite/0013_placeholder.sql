-- Placeholder: keeps the migration numbers without a gap (replaced when the access-log migration lands).
SELECT 1;
