"""English dates for an international team: ISO 8601, never the American month first (Django's
"en" defaults), so that 06/12 is not read as June by some and December by others."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
