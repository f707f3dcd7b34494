"""A record's page recognises the verdict PostgreSQL wrote for it: Python computes the same
content key as the server's ``hashtextextended``, whatever the text's length or script."""

import random

import pytest
from django.db import connection

from lib.pghash import hash_text_extended


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own hash")
@pytest.mark.django_db
def test_python_hashes_text_as_postgresql_does():
    rng = random.Random(19)
    letters = "abcXYZ0129 -:éßλ中文😀"
    texts = ["", "a", "edited", "f" * 64]
    texts += ["".join(rng.choice(letters) for _ in range(n)) for n in range(40)]
    texts += [f"{rng.getrandbits(256):064x}" for _ in range(50)]  # content hashes (SHA-256)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT hashtextextended(x, 0) FROM unnest(%s::text[]) WITH ORDINALITY AS u(x, i) "
            "ORDER BY i",
            [texts],
        )
        expected = [row[0] for row in cursor.fetchall()]

    assert [hash_text_extended(text) for text in texts] == expected
