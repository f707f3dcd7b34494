"""`make bench`: run every benchmark and print its figures as JSON."""

import json
import platform
import sys

from bench.setup import django_with_fresh_database


def main() -> None:
    database = django_with_fresh_database()
    import logging

    logging.getLogger("httpx").setLevel(logging.WARNING)
    from bench import anonymise, disclosure, form_publish, ingest, results

    report = {
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
        "python": sys.version.split()[0],
        "database": database,
        "form_publish": form_publish.run() if "ingest" not in sys.argv else "not run",
        "openrosa_ingest": ingest.run(),
        "disclosure_control_1m": disclosure.run() if "ingest" not in sys.argv else "not run",
        "record_anonymisation": anonymise.run() if "ingest" not in sys.argv else "not run",
        "results_1m": results.run() if "ingest" not in sys.argv else "not run",
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
