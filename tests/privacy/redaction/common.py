"""Shared by the redaction tests. A plain module rather than a conftest, so that they also run
without Django (`pytest -p no:django --noconftest tests/privacy/redaction`)."""

from privacy.redaction import Redactor

REGIONS = ("IT", "AF", "SY", "UA")


def redact(text, direct=(), regions=REGIONS):
    return Redactor.for_regions(regions).redact(text, direct)
