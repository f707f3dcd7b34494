# Django has no types of its own and Waypoint runs mypy without django-stubs (whose plugin would
# import the settings to type-check). These stubs type the one part the code leans on, the
# TextChoices enums (roles, form states), so that `access_project(..., Role.DPO)` checks; the rest
# of Django is Any, as it is without stubs.
from typing import Any

def __getattr__(name: str) -> Any: ...
