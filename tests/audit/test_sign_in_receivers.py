"""Sign-ins are audited, and so throttled, with the settings production runs (DEBUG off).

The suite itself starts Django with DEBUG on, where a receiver lost to garbage collection
still fires; this test starts a fresh Django with DEBUG off in its own process."""

import subprocess
import sys

from tests.live import ROOT, embedded_env

PROBE = """
import gc, django
django.setup()
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
gc.collect()
assert settings.DEBUG is False, settings.DEBUG
import weakref
def alive(signal, uid):
    refs = [entry[1] for entry in signal.receivers if entry[0][0] == uid]
    deref = lambda r: r() if isinstance(r, weakref.ReferenceType) else r
    return any(deref(r) is not None for r in refs)
print(alive(user_logged_in, "audit-login"), alive(user_login_failed, "audit-login-failed"))
"""


def test_sign_in_receivers_survive_garbage_collection_with_debug_off(tmp_path):
    env = embedded_env(tmp_path) | {"DEBUG": "false"}

    probe = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert probe.returncode == 0, probe.stderr[-2000:]
    assert probe.stdout.split() == ["True", "True"], (
        "with DEBUG off the sign-in receivers were garbage-collected: sign-ins would be "
        "neither audited nor throttled in production"
    )
