"""Typed readers for settings that come from the environment.

Secrets may be given as ``X`` or as ``X_FILE`` (a path, as Docker and Kubernetes secrets are
mounted). A production setting that is missing fails loudly at start-up rather than at the first
request that needs it.
"""

import os
from pathlib import Path


class MissingSetting(RuntimeError):
    """A setting production needs is absent."""


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """Return ``name`` from the environment, or the contents of the file ``name_FILE`` names."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is None and file_name:
        value = Path(file_name).read_text(encoding="utf-8").strip()
    if value is None or value == "":
        if required:
            raise MissingSetting(f"Set {name} (or {name}_FILE) in the environment.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise MissingSetting(f"{name} must be an integer, got {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
