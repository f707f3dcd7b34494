"""One project with everything a hostile request can aim at, built once for the package: a form
with released (and unreleased) records, a raw submission with an attachment and a conflicting
copy, a form expecting a media file, a device, and a user holding every role, so that a refusal
is never merely "you may not". A second project supplies tokens that must not open the first.

The world lives in a transaction opened for the package and rolled back at its end (as Django's
TestCase does for a class); each test (marked ``django_db``) runs in pytest-django's savepoint,
rolled back after it, so tests see the same world whatever ran before.
"""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.hostile.world import WORLD_SETTINGS, build_world


@pytest.fixture(scope="package")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media_root = tmp_path_factory.mktemp("hostile-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, **WORLD_SETTINGS),
        transaction.atomic(),
    ):
        yield build_world(media_root)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_settings(world, _test_settings, settings):
    """The world's settings, over the per-test ones tests/conftest.py sets (its attachments are
    in the world's media root)."""
    settings.MEDIA_ROOT = world.media_root
    for name, value in WORLD_SETTINGS.items():
        setattr(settings, name, value)
