from tests.privacy.conftest import privacy_form, privacy_instance, released  # noqa: F401 - fixtures
from tests.sync.conftest import submit  # noqa: F401
