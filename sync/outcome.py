"""What happened to a transaction whose answer never came back.

PostgreSQL can commit and the connection drop before COMMIT's answer reaches Waypoint: the
driver raises, yet the rows are there. Deleting the sealed files of such a "failed" submission
would leave rows naming files that do not exist (a photo lost after a 201 to its retry). So
after any failure the files are looked up on a connection of their own, and only those no row
names are deleted; when even that cannot be asked, nothing is deleted and the periodic sweep
(``sync.orphans``) removes what no row names once the grace period is over.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from sync.models import Attachment

log = logging.getLogger(__name__)


def files_referenced(storage_names: list[str]) -> set[str] | None:
    """Which of these storage names an attachment row names, asked on a fresh connection (the
    request's own may be broken, or inside a failed transaction); None when it cannot be known."""
    if not storage_names:
        return set()
    connection = connections.create_connection(DEFAULT_DB_ALIAS)
    if connection.vendor == "postgresql":  # a database out of reach must not hold the request
        options = {**connection.settings_dict.get("OPTIONS", {}), "connect_timeout": 5}
        connection.settings_dict = {**connection.settings_dict, "OPTIONS": options}
    table = connection.ops.quote_name(Attachment._meta.db_table)
    try:
        with connection.cursor() as cursor:
            marks = ", ".join(["%s"] * len(storage_names))
            cursor.execute(f"SELECT file FROM {table} WHERE file IN ({marks})", storage_names)  # noqa: S608 - table name from the model, values bound
            return {row[0] for row in cursor.fetchall()}
    except DatabaseError as exc:
        log.warning("commit outcome unknown, keeping %d sealed files: %s", len(storage_names), exc)
        return None
    finally:
        connection.close()
