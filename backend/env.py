"""Typed readers for settings that come from the environment.

Secrets may be given as ``X`` or as ``X_FILE`` (a path, as Docker and Kubernetes secrets are
mounted). A production setting that is missing fails loudly at start-up rather than at the first
request that needs it.
"""

import os
from pathlib import Path
from typing import overload


class MissingSetting(RuntimeError):
    """A setting production needs is absent, or a setting's value cannot be understood."""


TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


@overload
def env_str(name: str, default: str, *, required: bool = False) -> str: ...
@overload
def env_str(name: str, default: None = None, *, required: bool = False) -> str | None: ...
def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """Return ``name`` from the environment, or the contents of the file ``name_FILE`` names;
    an empty value counts as unset."""
    value = os.environ.get(name)
    file_name = os.environ.get(f"{name}_FILE")
    if value is None and file_name:
        try:
            value = Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise MissingSetting(
                f"{name}_FILE names {file_name!r}, which cannot be read: {exc}"
            ) from exc
    if value is None or value == "":
        if required:
            raise MissingSetting(f"Set {name}, or {name}_FILE to a file holding it.")
        return default
    return value


def env_required(name: str, *, because: str) -> str:
    """``name``, which must be set; ``because`` tells the operator what needs it."""
    value = env_str(name)
    if value is None:
        raise MissingSetting(
            f"{name} is required {because}: set {name}, or {name}_FILE to a file holding it."
        )
    return value


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting. A value outside the known words is refused: ``DEBUG=ture`` or
    ``SECURE_SSL_REDIRECT=flase`` must not quietly mean "off"."""
    value = env_str(name)
    if value is None:
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise MissingSetting(
        f"{name} must be one of 1/0, true/false, yes/no, on/off (any case), got {value!r}."
    )


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise MissingSetting(f"{name} must be an integer, got {value!r}.") from exc


def env_float(name: str, default: float) -> float:
    value = env_str(name)
    if value is None:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise MissingSetting(f"{name} must be a number, got {value!r}.") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def private_file(path: Path, content: str | None = None) -> Path:
    """``path`` readable by its owner only (0600): created so from the first byte (never
    world-readable, not even between writing and chmod), and tightened if it already exists.
    For the development secret key and SQLite database under var/, which hold credentials."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if path.stat().st_mode & 0o077:
            path.chmod(0o600)
        return path
    with os.fdopen(descriptor, "w", encoding="utf-8") as created:
        created.write(content or "")
    return path
