package io.pgshuttle.agent.steps;

import io.pgshuttle.testkit.PostgresCluster;
import java.util.List;

/**
 * A source cluster with what a migration must carry: two databases (one with a non-ASCII, mixed
 * case name), several schemas, quoted mixed-case and non-ASCII identifiers, indexes, views, a
 * materialized view, functions, a trigger, sequences advanced past 1, large objects, pgcrypto,
 * roles with memberships, passwords and grants, database-level settings, restricted database
 * privileges and a connection limit.
 */
final class SourceFixture {
  static final String SHOP = "shop";
  static final String UNICODE_DB = "Ünïcode Db";
  static final List<String> DATABASES = List.of(SHOP, UNICODE_DB);
  static final String READER_PASSWORD = "reader-pw";
  static final int SHOP_CONNECTION_LIMIT = 25;

  private SourceFixture() {}

  static void create(PostgresCluster source) {
    source.execute(
        "postgres",
        "CREATE ROLE app_owner LOGIN PASSWORD 'owner-pw'",
        "CREATE ROLE app_reader LOGIN PASSWORD '" + READER_PASSWORD + "'",
        "CREATE ROLE \"Mixed Role\" NOLOGIN",
        "GRANT \"Mixed Role\" TO app_reader",
        "ALTER ROLE app_reader SET work_mem = '8MB'",
        "CREATE DATABASE shop OWNER app_owner",
        "CREATE DATABASE \"" + UNICODE_DB + "\" OWNER app_owner",
        "ALTER DATABASE shop SET search_path = \"$user\", public, sales",
        "ALTER DATABASE shop SET statement_timeout = '5min'",
        "ALTER ROLE app_reader IN DATABASE shop SET work_mem = '16MB'",
        "ALTER DATABASE shop CONNECTION LIMIT " + SHOP_CONNECTION_LIMIT,
        "REVOKE CONNECT, TEMPORARY ON DATABASE shop FROM PUBLIC",
        "GRANT CONNECT ON DATABASE shop TO app_reader",
        "GRANT CONNECT ON DATABASE shop TO \"Mixed Role\" WITH GRANT OPTION");
    source.execute(
        SHOP,
        "CREATE EXTENSION pgcrypto",
        "CREATE SCHEMA sales AUTHORIZATION app_owner",
        "CREATE SCHEMA \"Ärger\" AUTHORIZATION app_owner",
        "CREATE TABLE sales.customers (id serial PRIMARY KEY, name text NOT NULL,"
            + " email text UNIQUE, secret bytea)",
        "INSERT INTO sales.customers (name, email, secret) SELECT 'customer ' || g,"
            + " 'c' || g || '@example.com', digest('s' || g, 'sha256')"
            + " FROM generate_series(1, 2000) g",
        "CREATE TABLE sales.\"Orders\" (id bigserial PRIMARY KEY,"
            + " customer_id int NOT NULL REFERENCES sales.customers (id),"
            + " amount numeric(12, 2) CHECK (amount >= 0), placed_at timestamptz, note text)",
        "INSERT INTO sales.\"Orders\" (customer_id, amount, placed_at, note)"
            + " SELECT 1 + g % 2000, (g * 7919 % 100000) / 100.0,"
            + " timestamptz '2024-01-01 00:00:00+00' + g * interval '1 minute',"
            + " CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END"
            + " FROM generate_series(1, 5000) g",
        "CREATE INDEX orders_by_customer ON sales.\"Orders\" (customer_id)",
        "CREATE VIEW sales.big_orders AS SELECT * FROM sales.\"Orders\" WHERE amount > 500",
        "CREATE MATERIALIZED VIEW sales.totals AS"
            + " SELECT customer_id, sum(amount) AS total FROM sales.\"Orders\" GROUP BY 1",
        "CREATE FUNCTION sales.default_note() RETURNS trigger LANGUAGE plpgsql AS"
            + " $$ BEGIN NEW.note := coalesce(NEW.note, 'added later'); RETURN NEW; END $$",
        "CREATE TRIGGER orders_default_note BEFORE INSERT ON sales.\"Orders\""
            + " FOR EACH ROW EXECUTE FUNCTION sales.default_note()",
        "CREATE FUNCTION sales.order_count(c int) RETURNS bigint LANGUAGE sql STABLE AS"
            + " $$ SELECT count(*) FROM sales.\"Orders\" WHERE customer_id = c $$",
        "CREATE SEQUENCE sales.invoice_no START 1000",
        "SELECT nextval('sales.invoice_no') FROM generate_series(1, 3)",
        "CREATE TABLE \"Ärger\".\"Ünïcödé Täble\" (\"Key\" text PRIMARY KEY, v jsonb)",
        "INSERT INTO \"Ärger\".\"Ünïcödé Täble\" SELECT 'ключ ' || g,"
            + " jsonb_build_object('n', g, 'text', 'grüße ' || g) FROM generate_series(1, 300) g",
        "SELECT lo_from_bytea(0, convert_to('large object ' || g, 'UTF8'))"
            + " FROM generate_series(1, 5) g",
        "GRANT USAGE ON SCHEMA sales TO app_reader",
        "GRANT SELECT ON ALL TABLES IN SCHEMA sales TO app_reader",
        "ALTER TABLE sales.customers OWNER TO app_owner",
        "ALTER TABLE sales.\"Orders\" OWNER TO app_owner");
    source.execute(
        UNICODE_DB,
        "CREATE TABLE notes (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body text)",
        "INSERT INTO notes (body) SELECT repeat('x', g) FROM generate_series(1, 50) g",
        "CREATE SEQUENCE unused_sequence");
  }
}
