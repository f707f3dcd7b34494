"""Which countries' phone numbers free-text redaction recognises in their national format.

A migrant writes the number of the SIM card they have now, and on a route that is often the
number of a transit country, not of their origin or of the service point's country. So the
default is the service points' countries, the configured countries of origin, and the transit
countries of the Movement's regional migration networks (APMN, Sahel+, MENA, PERCO, and the
Americas), listed here by network. International numbers ("+218 ...", "00218 ...") are
recognised for every country whatever this list says.
"""

from __future__ import annotations

from collections.abc import Iterable

from privacy.redaction.phones import normalise_regions

TRANSIT_BY_NETWORK: dict[str, tuple[str, ...]] = {
    # Asia Pacific Migration Network: routes from Afghanistan, Myanmar, Bangladesh, Sri Lanka
    "APMN": ("IR", "PK", "IN", "BD", "MY", "TH", "ID", "NP", "LK", "AU"),
    # Sahel+: the central Mediterranean and Atlantic routes through the Sahel
    "Sahel+": ("NE", "ML", "BF", "SN", "MR", "TD", "NG", "CM", "GN", "CI", "GM", "DZ"),
    # Middle East and North Africa
    "MENA": ("TR", "LB", "JO", "EG", "LY", "TN", "MA", "IQ", "YE", "SD", "DJ"),
    # Platform for European Red Cross Cooperation on Refugees, Asylum-seekers and Migrants
    "PERCO": (
        "GR", "IT", "ES", "MT", "CY", "BG", "RS", "MK", "BA", "HR", "SI", "HU", "AT", "DE",
        "FR", "PL", "MD", "RO", "AL", "ME", "BE", "NL", "CH", "SK", "CZ", "GB",
    ),
    # the Americas: the route north through the Darién and Central America
    "Americas": ("MX", "PA", "CR", "NI", "SV", "GT", "HN", "CO", "EC", "PE", "CL", "BR"),
}  # fmt: skip

TRANSIT_REGIONS: tuple[str, ...] = tuple(
    dict.fromkeys(code for codes in TRANSIT_BY_NETWORK.values() for code in codes)
)


def default_phone_regions(
    service_points: Iterable[str],
    origins: Iterable[str],
    transit: Iterable[str] = TRANSIT_REGIONS,
) -> tuple[str, ...]:
    """The service points' countries first (their formats are tried first), then the origins,
    then the transit countries; each once, unknown codes dropped."""
    return normalise_regions([*service_points, *origins, *transit])
