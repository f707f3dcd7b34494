"""The only path from the quarantine to the evidence base: record-level anonymisation, dataset
disclosure control, and (for the DPO) review, release, retention."""
