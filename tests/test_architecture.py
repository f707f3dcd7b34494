"""The layout holds: small modules, imports that flow with the data, an API that changes only on
purpose (docs/architecture.md draws all three).

`lint-imports` (run by `make test`) enforces the contracts in pyproject.toml, indirect imports
included; this file adds what the contracts cannot say: that every top-level package is under
them, that the Django project sits on top of the apps, and how long a module may grow.
"""

import os
import re
import tomllib
from pathlib import Path

import grimp
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 400

# Top-level packages from the bottom up: each may import only those before it. The import-linter
# layers contract covers lib..results; the Django project (settings, urls, celery, health) wires
# the apps together, so it sits above them all and no app imports it.
ORDER = ["lib", "audit", "accounts", "forms", "sync", "privacy", "results", "webforms", "backend"]

# Generated or shipped content, not code anyone reads as a module; the tool chain's own folders.
NOT_MODULES = ("forms/library/",)
NOT_CODE = {".venv", "build", "var", "node_modules", "__pycache__", "migrations"}


def python_modules() -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [
            name
            for name in subfolders
            if name not in NOT_CODE and not name.startswith(".") and not name.endswith(".egg-info")
        ]
        for name in files:
            relative = (Path(folder) / name).relative_to(ROOT)
            if name.endswith(".py") and not relative.as_posix().startswith(NOT_MODULES):
                found.append(relative)
    return sorted(found)


def test_no_module_passes_400_lines():
    """A module that passes ~400 lines is split into a package (style.md, practice 10)."""
    modules = python_modules()
    assert len(modules) > 100, f"found only {len(modules)} modules under {ROOT}: wrong root?"
    long = {}
    for path in modules:
        with open(ROOT / path, "rb") as handle:
            lines = sum(1 for _ in handle)
        if lines > MAX_LINES:
            long[path.as_posix()] = lines
    assert not long, (
        f"modules over {MAX_LINES} lines: "
        + ", ".join(f"{path} ({n})" for path, n in sorted(long.items()))
        + ". Split each into a package of modules named for what they do (results/suppression/ "
        "is an example); migrations and forms/library/ are exempt."
    )


def test_every_top_level_package_is_under_the_import_contracts():
    """A new top-level app must take its place in the pipeline, or lint-imports ignores it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    packages = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in {"tests", "bench", "deploy", "build"}
    }
    assert packages == set(ORDER), (
        f"top-level packages {sorted(packages)} differ from ORDER in {__file__}: put a new "
        "package where the data flows, here, in docs/architecture.md and in pyproject.toml"
    )
    assert set(config["root_packages"]) == packages, (
        "[tool.importlinter] root_packages in pyproject.toml must list every top-level package"
    )
    # Layers contracts inside one package (dotted names) may come; the pipeline's is top-level.
    pipeline = [
        c["layers"]
        for c in config["contracts"]
        if c["type"] == "layers" and not any("." in layer for layer in c["layers"])
    ]
    assert pipeline == [list(reversed(ORDER[:-1]))], (
        f"the top-level layers contracts {pipeline} and ORDER in {__file__} disagree about the "
        "pipeline: there must be one, from results down to lib"
    )


def test_imports_between_top_level_packages_flow_down_the_pipeline():
    """Every direct import between top-level packages goes from a later stage to an earlier
    one (so the package graph has no cycle), and nothing imports the Django project."""
    graph = grimp.build_graph(*ORDER, cache_dir=None)
    rank = {name: n for n, name in enumerate(ORDER)}
    wrong = []
    for module in sorted(graph.modules):
        importer = module.split(".")[0]
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            target = imported.split(".")[0]
            if target != importer and rank[target] > rank[importer]:
                lines = graph.get_import_details(importer=module, imported=imported)
                where = ", ".join(f"line {d['line_number']}" for d in lines) or "?"
                wrong.append(f"{module} -> {imported} ({where})")
    assert not wrong, (
        f"imports against the pipeline ({' <- '.join(ORDER)}): "
        + "; ".join(wrong)
        + ". Move the code to the stage that owns the data, or pass it in from above."
    )


# Integer bounds in the schema come from the database backend (SQLite reports 64 bits for every
# integer column, PostgreSQL the column's own width); the snapshot is PostgreSQL's, production's.
_BACKEND_BOUNDS = re.compile(
    r"^ *(?:(?:maximum|minimum): -?(?:9223372036854775807|9223372036854775808|2147483647"
    r"|2147483648|32767|32768)|format: int64)\n",
    re.MULTILINE,
)


def test_openapi_schema_matches_the_committed_snapshot(tmp_path):
    """The API changes only on purpose: docs/openapi.yaml is what clients and reviewers read.
    After a deliberate change, regenerate it and commit it with the change."""
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--file", str(generated))
    snapshot = ROOT / "docs" / "openapi.yaml"
    now, committed = (_BACKEND_BOUNDS.sub("", p.read_text()) for p in (generated, snapshot))
    assert now == committed, (
        "the OpenAPI schema differs from docs/openapi.yaml. If the API change is intended, "
        "regenerate the snapshot on PostgreSQL (DATABASE_URL): "
        "python manage.py spectacular --file docs/openapi.yaml "
        f"(and review the diff); the schema generated now is in {generated}"
    )
