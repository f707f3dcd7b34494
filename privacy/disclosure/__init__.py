"""Dataset-level disclosure control over all records of a form.

`control` (pure, numpy only) counts k within dimension cells under a missing-value convention,
and computes risk and l-diversity; `suppression` (pure) brings every group to k by local
suppression honouring importance, or by holding records back; `columns` reads the records as
columns of codes and writes the verdicts; `dataset` runs it all for a form; `scheduling` decides
when a form's run is queued; `legacy` finds verdicts still naming their content by MD5. No
imports here, so that importing the pure modules pulls in no Django."""
