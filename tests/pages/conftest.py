"""What the page tests share: axe-core's source, injected into each page checked."""

import pytest

from tests.pages.test_responsive_pages import AXE


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        pytest.skip("axe-core is not installed: cd tests/pages && npm ci (make test does it)")
    return AXE.read_text(encoding="utf-8")
