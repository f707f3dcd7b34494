"""The hostile-request corpus: each entry is a request an attacker (or a broken client) could
send, the refusal it must get (status and stable code), and the promise that nothing was stored.

``code`` is the JSON ``code`` (or, for a refused upload, the first problem's code); OpenRosa
answers carry no codes, so for them it is a phrase of the ``<message>`` the volunteer reads.
OpenRosa entries run twice: as a device (token in the URL) and as an account (HTTP Basic).
"""

from dataclasses import replace

from tests.hostile.corpus.api import QUARANTINE, RESULTS, UPLOADS
from tests.hostile.corpus.hostile import Hostile, refusal_code, stored
from tests.hostile.corpus.openrosa import FOREIGN, openrosa

CORPUS: list[Hostile] = [
    *openrosa("token"),
    *[replace(entry, name=f"{entry.name} (Basic)") for entry in openrosa("basic")],
    *FOREIGN,
    *UPLOADS,
    *QUARANTINE,
    *RESULTS,
]

__all__ = ["CORPUS", "Hostile", "refusal_code", "stored"]
