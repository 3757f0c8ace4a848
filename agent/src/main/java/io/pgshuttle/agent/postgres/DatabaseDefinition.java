package io.pgshuttle.agent.postgres;

import java.util.List;
import java.util.Objects;

/**
 * What a database is on the source: how to create it again, and who may connect.
 *
 * @param iculocale the ICU locale where the database uses the ICU provider (PostgreSQL 15 and
 *     newer), else null
 * @param connectionLimit {@code datconnlimit}, -1 for none
 * @param defaultAcl whether {@code datacl} is null, meaning the built-in default privileges
 * @param grants the privileges in effect, the defaults spelled out when {@code defaultAcl}
 */
public record DatabaseDefinition(
    String name,
    String owner,
    String encoding,
    String collate,
    String ctype,
    String iculocale,
    int connectionLimit,
    boolean defaultAcl,
    List<DatabaseGrant> grants) {

  public DatabaseDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(owner, "owner");
    grants = List.copyOf(grants);
  }

  /**
   * {@code CREATE DATABASE <name> OWNER … ENCODING … LC_COLLATE … LC_CTYPE … TEMPLATE template0}
   * with this database's owner, encoding and locale, under another name.
   */
  public String createStatement(String newName) {
    StringBuilder sql =
        new StringBuilder("CREATE DATABASE ")
            .append(Sql.identifier(newName))
            .append(" OWNER ")
            .append(Sql.identifier(owner))
            .append(" ENCODING ")
            .append(Sql.literal(encoding))
            .append(" LC_COLLATE ")
            .append(Sql.literal(collate))
            .append(" LC_CTYPE ")
            .append(Sql.literal(ctype));
    if (iculocale != null) {
      sql.append(" LOCALE_PROVIDER icu ICU_LOCALE ").append(Sql.literal(iculocale));
    }
    return sql.append(" TEMPLATE template0").toString();
  }
}
