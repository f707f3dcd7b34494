"""The interface speaks English, French, Spanish, Arabic and Ukrainian: every string marked for
translation has a translation in every language (no empty or fuzzy entry left after
`makemessages`), the compiled catalogues match their sources, and the humanitarian vocabulary
is the Movement's own."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

from backend.settings import BASE_DIR, LANGUAGES

LOCALE = BASE_DIR / "locale"
TRANSLATED = [code for code, _ in LANGUAGES if code != "en"]
IGNORE = [".venv/*", "var/*", "*/node_modules/*", "webforms/frontend/*", "tests/*", "bench/*",
          "deploy/*"]  # fmt: skip


@pytest.fixture
def gettext_tools():
    if shutil.which("xgettext") is None or shutil.which("msgattrib") is None:
        pytest.skip("GNU gettext is not installed (apt-get install gettext; .ci/run does it)")


def _missing(po: Path) -> str:
    out = []
    for flag in ("--untranslated", "--only-fuzzy"):
        text = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", "--no-wrap", str(po)],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        # The header entry (msgid "") is always "untranslated" to msgattrib's eyes when alone.
        out += [
            line for line in text.splitlines() if line.startswith("msgid ") and line != 'msgid ""'
        ]
    return "\n".join(out)


def test_every_marked_string_is_translated(gettext_tools, tmp_path, settings, monkeypatch):
    """makemessages over the tree into a copy of locale/: a string added to a page or a view
    without its translations fails here, with the strings to translate listed."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy)
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(BASE_DIR)
    call_command("makemessages", locale=TRANSLATED, ignore_patterns=IGNORE, no_obsolete=True,
                 verbosity=0)  # fmt: skip
    missing = {code: _missing(copy / code / "LC_MESSAGES" / "django.po") for code in TRANSLATED}
    assert {code: text for code, text in missing.items() if text} == {}, (
        "Run `make messages` and translate these strings in locale/<language>/LC_MESSAGES/django.po"
    )


def test_compiled_catalogues_match_their_sources(gettext_tools, tmp_path):
    for code in TRANSLATED:
        folder = LOCALE / code / "LC_MESSAGES"
        fresh = tmp_path / f"{code}.mo"
        subprocess.run(
            ["msgfmt", "--check", "-o", str(fresh), str(folder / "django.po")], check=True
        )
        assert fresh.read_bytes() == (folder / "django.mo").read_bytes(), (
            f"locale/{code}: run `make messages` to compile the catalogue"
        )


@pytest.mark.parametrize(
    ("code", "terms"),
    [
        (
            "fr",
            [
                "Société nationale",
                "délégué à la protection des données",
                "Points de services humanitaires",
            ],
        ),
        (
            "es",
            [
                "Sociedad Nacional",
                "delegado de protección de datos",
                "Puntos de Servicio Humanitario",
            ],
        ),
        ("ar", ["الجمعية الوطنية", "مسؤول حماية البيانات", "نقاط الخدمات الإنسانية"]),
        (
            "uk",
            ["Національне товариство", "фахівець з захисту даних", "пунктів гуманітарних послуг"],
        ),
    ],
)
def test_the_movements_vocabulary(code, terms):
    text = (LOCALE / code / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    for term in terms:
        assert term.lower() in text.lower(), f"{code}: “{term}” is the Movement's term"
