"""`make bench`: run every benchmark and print its figures as JSON.

`python -m bench NAME...` runs only the named ones (form_publish, ingest, soak, commit_loss,
disclosure, anonymise, results, lattice, release, microdata, records_zip, export, names, auth_flood,
scale_out, webforms) on a database of their own (waypoint_bench_NAME...), so that a single
bench does not drop the database under a full run. `--name value` options go to the benches
that read them (`ingest --peer-url URL`). The exit status is 1 when a bench that checks its
own outcome (the soak: errors must be 0, every submission stored once and whole; commit_loss:
nothing lost, duplicated or left behind; webforms: the offline form opens within 1 s) failed.
"""

import importlib
import json
import os
import platform
import sys

from bench.setup import django_with_fresh_database

# argv name: key in the report, in the order they run.
BENCHES = {
    "form_publish": "form_publish",
    "ingest": "openrosa_ingest",
    "soak": "soak",
    "commit_loss": "commit_answer_loss",
    "disclosure": "disclosure_control_1m",
    "anonymise": "record_anonymisation",
    "results": "results_1m",
    "lattice": "results_lattice_1m",
    "release": "release_1m",
    "microdata": "microdata_1m",
    "records_zip": "records_zip_1m",
    "export": "records_export",
    "auth_flood": "auth_flood",
    "names": "names_in_free_text",
    "scale_out": "scale_out",
    "webforms": "webforms_offline_open",
}
NO_DATABASE = frozenset({"names"})  # pure Python: no Django settings, no database


def _options(argv: list[str]) -> list[str]:
    """``--name value`` options become WAYPOINT_BENCH_NAME for the benches that read them
    (``ingest --peer-url URL --connections 8,16``); the bench names are what is left."""
    names = []
    args = iter(argv)
    for arg in args:
        if arg.startswith("--"):
            key, _, value = arg[2:].partition("=")
            value = value or next(args, "")
            os.environ[f"WAYPOINT_BENCH_{key.replace('-', '_').upper()}"] = value
        else:
            names.append(arg)
    return names


def main() -> None:
    sys.argv[1:] = _options(sys.argv[1:])
    chosen = sys.argv[1:] or list(BENCHES)
    unknown = [name for name in chosen if name not in BENCHES]
    if unknown:
        sys.exit(f"unknown bench {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    if set(chosen) <= NO_DATABASE:
        database = "none needed"
    else:
        database = django_with_fresh_database("_".join(["waypoint_bench", *sys.argv[1:]]))
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    report: dict = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": sys.version.split()[0],
        "database": database,
    }
    for bench, key in BENCHES.items():
        report[key] = "not run"
        if bench in chosen:
            report[key] = importlib.import_module(f"bench.{bench}").run()
    print(json.dumps(report, indent=2))
    failed = [
        k
        for k, result in report.items()
        if isinstance(result, dict) and not result.get("passed", True)
    ]
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
