"""Django's PostgreSQL backend with a health check that costs no query (see ``base``)."""
