-- Runs once when the compose Postgres volume is created (database mna): pgvector and the non-owner
-- application role the services connect as (row level security binds it). Migrations run as postgres.
create extension if not exists vector;
create role mna_app login password 'mna_app' nosuperuser nocreatedb nocreaterole;
grant connect on database mna to mna_app;
