-- The application's own database role: reads and writes Waypoint's data, but cannot rewrite
-- history. On the audit trail it may only SELECT and INSERT: no UPDATE, DELETE or TRUNCATE,
-- and, not owning the table, no ALTER (so it cannot disable the append-only trigger or drop
-- the table). Migrations run as the owner role; web, workers and beat connect as this one.
--
-- Run as the owner (the role that runs `manage.py migrate`), after every migrate: it is
-- idempotent, and grants on tables created since then are refreshed (deploy/entrypoint.sh,
-- "migrate", does it when WAYPOINT_APP_DB_PASSWORD is set; RUNBOOK.md, "Database roles"):
--
--   psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -v app_role=waypoint_app \
--        -v app_password="$WAYPOINT_APP_DB_PASSWORD" -f deploy/postgres-roles.sql

SELECT format('CREATE ROLE %I LOGIN', :'app_role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_role') \gexec
ALTER ROLE :"app_role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
  PASSWORD :'app_password';
SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), :'app_role') \gexec

GRANT USAGE ON SCHEMA public TO :"app_role";
REVOKE CREATE ON SCHEMA public FROM :"app_role";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app_role";
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO :"app_role";
-- The audit trail: append and read only.
REVOKE ALL ON audit_auditevent FROM :"app_role";
GRANT SELECT, INSERT ON audit_auditevent TO :"app_role";
REVOKE TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA public FROM :"app_role";
