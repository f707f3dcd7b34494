"""The append-only audit trail: raw-data reads, rule changes, releases, purges."""
