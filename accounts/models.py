"""Who collects, where, and who may do what.

A service point is run by a National Society in a country, and National Societies take part in
regional migration networks: every submission carries its device's service point, so results can
be broken down along that chain.
"""

import hashlib

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionalNetwork(models.Model):
    """A regional migration network of National Societies (APMN, Sahel+, MENA, PERCO, ...)."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class NationalSociety(models.Model):
    name = models.CharField(max_length=200, unique=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. IT.")
    networks = models.ManyToManyField(RegionalNetwork, blank=True, related_name="societies")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "national societies"

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    """A data-collection effort; roles, forms, devices and privacy thresholds are per project."""

    class DisclosureMode(models.TextChoices):
        SUPPRESS = "suppress", "Suppress quasi-identifiers locally"
        HOLD = "hold", "Hold records back until their group grows"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)

    class MissingValues(models.TextChoices):
        OWN = "own", "A missing value matches only missing (conservative)"
        ANY = "any", "A missing value matches any value (sdcMicro's convention)"

    k_anonymity = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(2)],
        help_text="Every record must share its quasi-identifiers and dimensions with k - 1 others.",
    )
    missing_values = models.CharField(
        max_length=8,
        choices=MissingValues.choices,
        default=MissingValues.OWN,
        help_text="How disclosure control counts a missing quasi-identifier when grouping.",
    )
    disclosure_mode = models.CharField(
        max_length=16, choices=DisclosureMode.choices, default=DisclosureMode.SUPPRESS
    )
    cell_threshold = models.PositiveSmallIntegerField(
        default=5,
        validators=[MinValueValidator(2)],
        help_text="Result cells with fewer records than this are suppressed.",
    )
    retention_days = models.PositiveSmallIntegerField(
        default=30, help_text="Raw submissions are purged this many days after release."
    )

    class PairGeography(models.TextChoices):
        ALL = "all", _("All places only")
        NETWORK = "network", _("Regional networks and all places")
        NATIONAL_SOCIETY = "national_society", _("National Societies and all places")
        COUNTRY = "country", _("Countries and all places")
        SERVICE_POINT = "service_point", _("Service points and all places")

    class PairTime(models.TextChoices):
        ALL = "all", _("All time only")
        YEAR = "year", _("Years and all time")
        QUARTER = "quarter", _("Quarters and all time")
        MONTH = "month", _("Months and all time")

    # Two questions cross-tabulated are published at these levels only (and at "all"): each
    # finer level multiplies the pair cells protection must solve jointly with everything else.
    pair_geography = models.CharField(
        max_length=16,
        choices=PairGeography.choices,
        default=PairGeography.COUNTRY,
        help_text="Place level of cross-tabulations of two questions (besides all places).",
    )
    pair_time = models.CharField(
        max_length=16,
        choices=PairTime.choices,
        default=PairTime.YEAR,
        help_text="Period level of cross-tabulations of two questions (besides all time).",
    )

    class EverydayNames(models.TextChoices):
        CONTEXT = "context", _("Where the sentence reads it as a name")
        ALWAYS = "always", _("Wherever it stands")

    # A respondent's name that is also an everyday word (أمل "hope", ሰላም "peace", Nour):
    # redacted by default where the sentence marks it as a name, so stories stay readable; a
    # DPO may choose recall over readability (free text is anonymised again at once).
    everyday_names = models.CharField(
        max_length=8,
        choices=EverydayNames.choices,
        default=EverydayNames.CONTEXT,
        help_text="Where free-text redaction removes a respondent's name that is also an "
        "everyday word.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def pair_levels(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(geography levels, time levels) pairs are published at: "all" and the chosen one."""
        return (
            tuple(dict.fromkeys(("all", self.pair_geography))),
            tuple(dict.fromkeys(("all", self.pair_time))),
        )


class ServicePoint(models.Model):
    """A Humanitarian Service Point: a fixed site, a mobile team or a helpline."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed site")
        MOBILE = "mobile", _("Mobile team")
        HELPLINE = "helpline", _("Helpline")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="service_points")
    national_society = models.ForeignKey(
        NationalSociety, on_delete=models.PROTECT, related_name="service_points"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.FIXED)
    country = models.CharField(
        max_length=2, help_text="ISO 3166-1 alpha-2 code of where the service point operates."
    )
    location = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["project", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="service_point_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    FORM_MANAGER = "form_manager", _("Form manager")
    DPO = "dpo", _("Data protection officer")
    ANALYST = "analyst", _("Analyst")


class Membership(models.Model):
    """One role of one user in one project. A user with several roles holds one row for each."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "project", "role"], name="membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.project}"


def hash_device_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not let anyone submit as a device."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Device(models.Model):
    """A tablet's credential (an ODK Central "app user"): lists, downloads and submits forms."""

    class Kind(models.TextChoices):
        # Both use the same token and the same OpenRosa endpoints; the kind only decides what
        # the form manager is handed: Collect's settings QR code, or the web app's link.
        COLLECT = "collect", _("ODK Collect tablet")
        WEB = "web", _("Web tablet (browser)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.COLLECT)
    service_point = models.ForeignKey(
        ServicePoint, on_delete=models.PROTECT, related_name="devices"
    )
    name = models.CharField(max_length=200)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    all_forms = models.BooleanField(
        default=True, help_text="Sees every form of the project; otherwise only `forms`."
    )
    # ``device.forms`` (the forms assigned when ``all_forms`` is off) is declared on the form
    # side, ``forms.Form.devices``: accounts sits below forms and does not name it.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.service_point})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiToken(models.Model):
    """A person's API credential. Only a SHA-256 of the key is stored: a leaked database or
    backup gives no live access. The key is shown once, when issued; ``prefix`` (its first
    characters) finds the row and lets its owner tell tokens apart."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    prefix = models.CharField(max_length=12, db_index=True, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class InterfaceLanguage(models.Model):
    """The interface language a person chose with the switch. The switch's cookie remembers it
    per browser; this row makes it follow the person to a shared tablet or a new browser."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="interface_language",
    )
    language = models.CharField(max_length=10)

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
