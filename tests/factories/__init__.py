"""factory_boy factories, one module per app, in pipeline order. Import them from here:
``from tests.factories import SubmissionFactory``."""

from tests.factories.accounts import (
    DeviceFactory,
    MembershipFactory,
    NationalSocietyFactory,
    NetworkFactory,
    ProjectFactory,
    ServicePointFactory,
    UserFactory,
)
from tests.factories.forms import FormFactory, FormVersionFactory, rules_approve
from tests.factories.privacy import AnonymisedRecordFactory, ReleaseFactory, microdata_approve
from tests.factories.sync import SubmissionFactory

__all__ = [
    "AnonymisedRecordFactory",
    "DeviceFactory",
    "FormFactory",
    "FormVersionFactory",
    "MembershipFactory",
    "NationalSocietyFactory",
    "NetworkFactory",
    "ProjectFactory",
    "ReleaseFactory",
    "ServicePointFactory",
    "SubmissionFactory",
    "UserFactory",
    "microdata_approve",
    "rules_approve",
]
