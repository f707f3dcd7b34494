from tests.privacy.conftest import privacy_form  # noqa: F401 - shared fixtures
from tests.results.conftest import released  # noqa: F401
from tests.sync.conftest import submit  # noqa: F401
