"""Text bound for a spreadsheet cell, from any download (results tables, released records, the
audit log): a cell that starts with a formula trigger is prefixed with an apostrophe, so that
Excel, LibreOffice and Google Sheets show it as text instead of running it (CSV injection:
``=HYPERLINK("http://evil","click")`` typed by anyone who fills in a form). One rule, used by
every export, in Python and, for exports PostgreSQL writes itself, in SQL."""

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` unchanged unless it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(TRIGGERS):
        return "'" + value
    return value


def neutralise_sql(expression: str) -> str:
    """The same rule as a PostgreSQL expression over the text ``expression``, which appears in
    it once (so it may hold a query placeholder)."""
    escaped = {"\t": r"\t", "\r": r"\r", "-": r"\-"}
    triggers = "".join(escaped.get(c, c) for c in TRIGGERS)
    return f"regexp_replace({expression}, '^([{triggers}])', '''\\1')"
