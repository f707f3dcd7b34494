"""Dataset-level disclosure control over all records of a form.

`control` (pure, numpy only) computes k-anonymity, local suppression, risk and l-diversity;
`dataset` reads the records from the database and writes the verdicts back; `scheduling`
decides when a form's run is queued. No imports here, so that importing the pure module pulls in
no Django."""
