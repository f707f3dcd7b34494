"""Settings for test processes: the project's settings plus the fault-injection knobs that tests
turn, which production settings do not read. Tests that start a server or worker meant to
misbehave run it with ``DJANGO_SETTINGS_MODULE=backend.settings_test``."""

from backend.env import MissingSetting, env_float
from backend.settings import *  # noqa: F403
from backend.settings import PRODUCTION

if PRODUCTION:
    raise MissingSetting(
        "backend.settings_test injects faults and is for tests only: production runs with "
        "DJANGO_SETTINGS_MODULE=backend.settings."
    )

# The killed-worker test (tests/privacy/test_celery_worker.py): the anonymisation task sleeps
# this many seconds between anonymising a batch and writing it.
WAYPOINT_ANONYMISE_TEST_DELAY = env_float("WAYPOINT_ANONYMISE_TEST_DELAY", 0.0)
