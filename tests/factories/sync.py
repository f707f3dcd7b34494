"""Submissions in the quarantine as a device's POST leaves them: the XML read by the same parser
(identity, hash) and sealed by the same code (``sync.quarantine``), without the HTTP round trip.
"""

import factory
from django.utils import timezone

from sync import quarantine
from sync.instance import parse_instance
from sync.models import Submission
from tests.factories.forms import FormVersionFactory


def _minimal_instance(version, instance_id: str) -> bytes:
    return (
        f'<data id="{version.form.form_id}" version="{version.version}">'
        f"<meta><instanceID>{instance_id}</instanceID></meta></data>"
    ).encode()


class SubmissionFactory(factory.Factory):
    """A complete submission of ``version`` (default: a new simple form's). ``xml`` is what the
    device sent (default: an instance with only its instanceID); ``device`` also sets the
    service point, as a device's submission does."""

    class Meta:
        model = Submission

    version = factory.SubFactory(FormVersionFactory)
    instance_id = factory.Sequence(lambda n: f"uuid:factory-{n}")
    xml = factory.LazyAttribute(lambda o: _minimal_instance(o.version, o.instance_id))
    device = None
    attachments_expected = factory.LazyFunction(list)

    @classmethod
    def _create(cls, model_class, version, instance_id, xml, device, attachments_expected):
        instance = parse_instance(xml)
        sealed = quarantine.seal_xml(xml, form_pk=version.form_id, identity=instance.identity)
        return Submission.objects.create(
            form=version.form,
            version=version,
            instance_id=instance.identity,
            xml_sealed=sealed,
            xml_sha256=instance.sha256,
            xml_size=len(xml),
            attachments_expected=attachments_expected,
            complete=True,
            completed_at=timezone.now(),
            root_instance_id=instance.identity,
            device=device,
            service_point=device.service_point if device else None,
            user_agent="org.odk.collect.android/v2026.1.0",
        )

    _build = _create
