"""Counts as the interface language writes them: 12,345 in English, 12 345 in French, Spanish
and Ukrainian. Django localises only decimals by default (its thousands separator setting would also
reformat ids in form fields and URLs), so counts on pages ask for grouping explicitly."""

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def count(value: object) -> str:
    """A whole number grouped by thousands the way the active language writes it."""
    if not isinstance(value, int):
        return "" if value is None else str(value)
    return formats.number_format(value, use_l10n=True, force_grouping=True)
