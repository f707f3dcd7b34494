from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.access import project_roles
from accounts.models import Device, NationalSociety, Project, RegionalNetwork, ServicePoint
from lib.api_defaults import StrictCharField, StrictModelSerializer


class RegionalNetworkSerializer(StrictModelSerializer):
    class Meta:
        model = RegionalNetwork
        fields = ["id", "code", "name"]


class NationalSocietySerializer(StrictModelSerializer):
    networks = serializers.SlugRelatedField(
        many=True, slug_field="code", queryset=RegionalNetwork.objects.all(), required=False
    )

    class Meta:
        model = NationalSociety
        fields = ["id", "name", "country", "networks"]


class BoundedSetting(serializers.IntegerField):
    """A privacy setting's bounds, stated in the API schema but checked by
    ``accounts.privacy_settings`` so that a refusal carries the catalogue's
    ``settings.out_of_bounds`` code (DRF's own validators would answer ``invalid``)."""

    def __init__(self, *, minimum: int, maximum: int = 32767, **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.min_value, self.max_value = minimum, maximum


class ChoiceSetting(serializers.ChoiceField):
    """A privacy setting's choices, stated in the API schema but checked by
    ``accounts.privacy_settings`` (``settings.out_of_bounds``, as for the numbers)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_internal_value(self, data):
        return data if isinstance(data, str) else super().to_internal_value(data)


class LeftOutConfirmation(serializers.IntegerField):
    """A count of records, as a JSON number only: a bare ``true`` (or ``"6"``) does not say
    which count the person saw, and a purge since could leave out more than they agreed to."""

    default_error_messages = {
        "invalid": _(
            "Send the number of records you agree to leave out (left_out.records of the "
            "refusal), not true."
        )
    }

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=0, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class SettingsLeftOutSerializer(serializers.Serializer):
    records = serializers.IntegerField(help_text="Records left out in all: purged + encrypted.")
    purged = serializers.IntegerField(help_text="Their raw data was purged on schedule.")
    encrypted = serializers.IntegerField(
        help_text="Encrypted on the device: decrypting it does not anonymise it again."
    )


class LeftOutUnconfirmedSerializer(serializers.Serializer):
    """The body of a `settings.left_out_unconfirmed` refusal (409)."""

    detail = serializers.CharField(help_text="How many records, why, and how to confirm.")
    code = serializers.CharField(help_text="`settings.left_out_unconfirmed`.")
    title = serializers.CharField()
    left_out = SettingsLeftOutSerializer(
        help_text="What the change would leave out of every later release for good, counted "
        "as the project is now; send `left_out.records` back as `confirm_left_out`."
    )

    def get_fields(self) -> dict:
        # A member named "fields" cannot be declared: it is the serializer's own attribute.
        fields = super().get_fields()
        fields["fields"] = serializers.ListField(
            child=serializers.CharField(), help_text="The settings the change was refused for."
        )
        return fields


class ProjectSerializer(StrictModelSerializer):
    my_roles = serializers.SerializerMethodField(help_text="Your roles in this project.")
    # Privacy settings: bounds are checked by accounts.privacy_settings, which answers with the
    # catalogue's `settings.*` codes (a DPO's or an admin's change only, with a reason).
    k_anonymity = BoundedSetting(
        minimum=2,
        help_text="k for disclosure control: at least 2, default 5 (DPO or admin; "
        "`settings.out_of_bounds` below 2).",
    )
    cell_threshold = BoundedSetting(
        minimum=2,
        help_text="Result cells below this are suppressed: at least 2, default 5 (DPO or admin).",
    )
    retention_days = BoundedSetting(
        minimum=1, help_text="Raw data purged this many days after release: at least 1."
    )
    pair_geography = ChoiceSetting(
        choices=Project.PairGeography.choices,
        help_text="Cross-tabulations of two questions are published for all places and at this "
        "place level (default country; DPO or admin). Frozen into each release's tables when "
        "they are computed: a change applies from the next approved release.",
    )
    pair_time = ChoiceSetting(
        choices=Project.PairTime.choices,
        help_text="Cross-tabulations of two questions are published for all time and at this "
        "period level (default year; DPO or admin; applies from the next approved release).",
    )
    everyday_names = ChoiceSetting(
        choices=Project.EverydayNames.choices,
        help_text="Where free-text redaction removes a respondent's name that is also an everyday "
        "word (أمل, ሰላም, Hope): `context` (default) where the sentence reads it as a name, "
        "`always` wherever it stands (more names caught, more everyday words lost). A change "
        "anonymises the project's submissions again (DPO or admin).",
    )
    confirm_left_out = LeftOutConfirmation(
        write_only=True,
        required=False,
        help_text="The number of records you agree to leave out of every later release for "
        "good by this change (their raw data was purged on schedule or is encrypted on the "
        "device, so the new `everyday_names` cannot be applied to them): `left_out.records` "
        "of the `settings.left_out_unconfirmed` refusal. A change that would leave out more "
        "than this (a purge since) is refused again with the new count; a whole number, "
        "`true` is refused.",
    )
    reason = StrictCharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text="Why the privacy settings change: required when one does (audited; "
        "`settings.reason_required`), and shown on the sign-off page when k or the threshold "
        "go below 5.",
    )

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "description",
            "k_anonymity",
            "disclosure_mode",
            "missing_values",
            "cell_threshold",
            "retention_days",
            "pair_geography",
            "pair_time",
            "everyday_names",
            "reason",
            "confirm_left_out",
            "created_at",
            "my_roles",
        ]
        read_only_fields = ["created_at"]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_my_roles(self, project: Project) -> list[str]:
        return sorted(project_roles(self.context["request"].user, project))


class ServicePointSerializer(StrictModelSerializer):
    national_society = serializers.PrimaryKeyRelatedField(queryset=NationalSociety.objects.all())
    national_society_name = serializers.CharField(source="national_society.name", read_only=True)
    networks = serializers.SerializerMethodField()

    class Meta:
        model = ServicePoint
        fields = [
            "id",
            "name",
            "kind",
            "national_society",
            "national_society_name",
            "country",
            "location",
            "networks",
        ]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_networks(self, point: ServicePoint) -> list[str]:
        return [n.code for n in point.national_society.networks.all()]


class DeviceSerializer(StrictModelSerializer):
    service_point = serializers.PrimaryKeyRelatedField(queryset=ServicePoint.objects.none())
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = Device
        fields = [
            "id",
            "name",
            "service_point",
            "kind",
            "all_forms",
            "forms",
            "active",
            "created_at",
            "revoked_at",
            "last_seen_at",
        ]
        read_only_fields = ["created_at", "revoked_at", "last_seen_at"]
        extra_kwargs = {"forms": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        project = self.context.get("project")
        if project is not None:
            self.fields["service_point"].queryset = project.service_points.all()
            self.fields["forms"].child_relation.queryset = project.forms.all()


class DeviceCreatedSerializer(DeviceSerializer):
    token = serializers.CharField(read_only=True, help_text="Shown once; stored hashed.")
    server_url = serializers.CharField(
        read_only=True, help_text="Type this into ODK Collect or KoboCollect as the server URL."
    )
    qr_code_png = serializers.CharField(
        read_only=True,
        help_text="data: URI of a PNG QR code; scanning it configures ODK Collect (a web "
        "tablet's opens its web_url in the browser).",
    )
    qr_code_url = serializers.CharField(
        read_only=True, help_text="ODK Collect's QR code as a page."
    )
    web_url = serializers.CharField(
        read_only=True,
        help_text="Web tablets: the link that opens the service point's forms in a browser "
        "(qr_code_png holds it); empty for ODK Collect tablets.",
    )
    collect_settings = serializers.JSONField(
        read_only=True, help_text="The settings the QR code carries."
    )

    class Meta(DeviceSerializer.Meta):
        fields = [
            *DeviceSerializer.Meta.fields,
            "token",
            "server_url",
            "web_url",
            "qr_code_png",
            "qr_code_url",
            "collect_settings",
        ]
