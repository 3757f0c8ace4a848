-- Run in database postgres of the source, one statement at a time.
CREATE ROLE app_owner LOGIN PASSWORD 'owner-pw-e2e';
CREATE ROLE app_reader LOGIN PASSWORD 'reader-pw-e2e';
CREATE ROLE "Analyst Ü" NOLOGIN;
GRANT app_reader TO "Analyst Ü";
CREATE DATABASE app OWNER app_owner;
CREATE DATABASE "Reporting Ü" OWNER app_owner;
ALTER DATABASE app SET work_mem = '8MB';
ALTER DATABASE app CONNECTION LIMIT 50;
ALTER ROLE app_reader IN DATABASE app SET search_path = "Inventory", public;
GRANT CONNECT ON DATABASE app TO app_reader;
REVOKE CONNECT ON DATABASE "Reporting Ü" FROM PUBLIC;
GRANT CONNECT ON DATABASE "Reporting Ü" TO app_reader;
