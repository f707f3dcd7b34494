"""Every request in the hostile corpus is refused with its status and code, and stores nothing:
no submission, attachment, form, media file, release or audit event, and no file in or beside
the media root."""

import pytest

from tests.hostile.corpus import CORPUS, refusal_code, stored

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("entry", CORPUS, ids=[entry.name for entry in CORPUS])
def test_hostile_request_is_refused_and_stores_nothing(entry, world, client, settings):
    for name, value in entry.settings.items():
        setattr(settings, name, value)
    before = stored(world)

    response = entry.send(world, client)

    assert response.status_code == entry.status, response.content[:500]
    if entry.code:
        assert entry.code in refusal_code(response)
    if entry.check:
        entry.check(response)
    assert stored(world) == before
