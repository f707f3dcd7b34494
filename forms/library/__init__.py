"""The questionnaires Waypoint ships, as XLSForm files (built by build.py)."""

from pathlib import Path

LIBRARY_DIR = Path(__file__).resolve().parent


def library_forms() -> list[Path]:
    return sorted(LIBRARY_DIR.glob("*.xlsx"))
