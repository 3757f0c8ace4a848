-- Run in database "Reporting Ü" of the source, one statement at a time.
CREATE SCHEMA rapports AUTHORIZATION app_owner;
CREATE TABLE rapports."Monthly" (month date PRIMARY KEY, revenue numeric(14,2), "Comment" text);
INSERT INTO rapports."Monthly" SELECT date '2020-01-01' + (g || ' months')::interval, g * 1000.5, 'mois ' || g FROM generate_series(0, 71) g;
CREATE VIEW rapports.yearly AS SELECT date_trunc('year', month) AS year, sum(revenue) AS revenue FROM rapports."Monthly" GROUP BY 1;
CREATE FUNCTION rapports.best() RETURNS date LANGUAGE sql STABLE AS $$ SELECT month FROM rapports."Monthly" ORDER BY revenue DESC LIMIT 1 $$;
GRANT USAGE ON SCHEMA rapports TO app_reader;
GRANT SELECT ON rapports."Monthly" TO app_reader;
VACUUM ANALYZE;
