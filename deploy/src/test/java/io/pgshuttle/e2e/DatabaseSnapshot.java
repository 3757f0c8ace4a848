package io.pgshuttle.e2e;

import io.pgshuttle.testkit.PostgresCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a migration must carry over, read from one database with plain catalog queries: the
 * test's own check of equality, independent of the agent's VERIFY. Row data is compared through an
 * ordered digest of every row's text.
 */
final class DatabaseSnapshot {
  private static final String USER_SCHEMAS =
      "NOT IN ('pg_catalog', 'information_schema', 'pg_toast')";

  private DatabaseSnapshot() {}

  /** Catalog facts of {@code database}, keyed by what they describe. */
  static Map<String, List<List<String>>> of(PostgresCluster cluster, String database) {
    Map<String, List<List<String>>> facts = new LinkedHashMap<>();
    facts.put(
        "database",
        cluster.query(
            "postgres",
            // Privileges compared as a sorted set: granting back what quiesce revoked may reorder
            // the ACL or make a default ACL explicit without changing what anyone may do.
            "SELECT pg_get_userbyid(datdba), pg_encoding_to_char(encoding), datcollate, datctype,"
                + " datconnlimit::text, (SELECT string_agg(format('%s>%s:%s',"
                + " a.grantor::regrole, CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE"
                + " a.grantee::regrole::text END, a.privilege_type), ',' ORDER BY 1) FROM"
                + " aclexplode(coalesce(datacl, acldefault('d', datdba))) a) FROM pg_database"
                + " WHERE datname = "
                + literal(database)));
    facts.put(
        "database settings",
        cluster.query(
            "postgres",
            "SELECT coalesce(r.rolname, ''), s.setconfig::text FROM pg_db_role_setting s JOIN"
                + " pg_database d ON d.oid = s.setdatabase LEFT JOIN pg_roles r ON r.oid ="
                + " s.setrole WHERE d.datname = "
                + literal(database)
                + " ORDER BY 1"));
    facts.put(
        "extensions",
        cluster.query(database, "SELECT extname, extversion FROM pg_extension ORDER BY 1"));
    facts.put(
        "relations",
        cluster.query(
            database,
            "SELECT n.nspname, c.relname, c.relkind::text, pg_get_userbyid(c.relowner),"
                + " (SELECT string_agg(x::text, ',' ORDER BY x::text) FROM unnest(c.relacl) x)"
                + " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE n.nspname "
                + USER_SCHEMAS
                + " ORDER BY 1, 2"));
    facts.put(
        "views",
        cluster.query(
            database,
            "SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname "
                + USER_SCHEMAS
                + " UNION ALL SELECT schemaname, matviewname, definition FROM pg_matviews"
                + " ORDER BY 1, 2"));
    facts.put(
        "functions",
        cluster.query(
            database,
            "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),"
                + " md5(pg_get_functiondef(p.oid)) FROM pg_proc p JOIN pg_namespace n ON n.oid ="
                + " p.pronamespace WHERE n.nspname "
                + USER_SCHEMAS
                + " AND p.prokind <> 'a' ORDER BY 1, 2, 3"));
    facts.put(
        "indexes",
        cluster.query(
            database,
            "SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes WHERE schemaname "
                + USER_SCHEMAS
                + " ORDER BY 1, 2, 3"));
    facts.put(
        "constraints",
        cluster.query(
            database,
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM"
                + " pg_constraint WHERE connamespace::regnamespace::text "
                + USER_SCHEMAS
                + " ORDER BY 1, 2"));
    facts.put(
        "triggers",
        cluster.query(
            database,
            "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                + " WHERE NOT tgisinternal ORDER BY 1, 2"));
    facts.put(
        "sequences",
        cluster.query(
            database,
            "SELECT schemaname, sequencename, last_value::text FROM pg_sequences ORDER BY 1, 2"));
    facts.put(
        "large objects",
        cluster.query(
            database,
            "SELECT oid::text, md5(lo_get(oid)) FROM pg_largeobject_metadata ORDER BY oid"));
    for (List<String> table :
        cluster.query(
            database,
            "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname "
                + USER_SCHEMAS
                + " UNION ALL SELECT format('%I.%I', schemaname, matviewname) FROM pg_matviews"
                + " ORDER BY 1")) {
      String name = table.get(0);
      facts.put(
          "rows of " + name,
          cluster.query(
              database,
              "SELECT count(*)::text, md5(string_agg(md5(t::text), '' ORDER BY md5(t::text)))"
                  + " FROM "
                  + name
                  + " t"));
    }
    return facts;
  }

  /** The roles other than PostgreSQL's own, with their attributes, memberships and passwords. */
  static List<List<String>> roles(PostgresCluster cluster, List<String> names) {
    return cluster.query(
        "postgres",
        "SELECT r.rolname, r.rolsuper::text, r.rolcanlogin::text, r.rolpassword IS NOT NULL,"
            + " coalesce((SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM"
            + " pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid),"
            + " '') FROM pg_authid r WHERE r.rolname = ANY (ARRAY["
            + String.join(",", names.stream().map(DatabaseSnapshot::literal).toList())
            + "]) ORDER BY 1");
  }

  /** Runs a resource of one statement per line (lines starting with -- are comments). */
  static void load(PostgresCluster cluster, String database, String resource) {
    try (InputStream in = DatabaseSnapshot.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + resource);
      }
      String[] lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n");
      for (String line : lines) {
        if (!line.isBlank() && !line.startsWith("--")) {
          cluster.execute(database, line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }
}
