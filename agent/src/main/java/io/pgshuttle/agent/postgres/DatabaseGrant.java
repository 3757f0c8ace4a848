package io.pgshuttle.agent.postgres;

import java.util.Objects;

/**
 * One privilege on a database, as {@code aclexplode} lists it.
 *
 * @param grantee the role, or null for PUBLIC
 * @param privilege {@code CONNECT}, {@code CREATE} or {@code TEMPORARY}
 * @param grantable whether it was given WITH GRANT OPTION
 */
public record DatabaseGrant(String grantee, String privilege, boolean grantable) {
  public DatabaseGrant {
    Objects.requireNonNull(privilege, "privilege");
  }

  public boolean isPublic() {
    return grantee == null;
  }

  /** {@code GRANT <privilege> ON DATABASE <database> TO <grantee> [WITH GRANT OPTION]}. */
  public String grantStatement(String database) {
    return "GRANT "
        + privilege
        + " ON DATABASE "
        + Sql.identifier(database)
        + " TO "
        + granteeSql()
        + (grantable ? " WITH GRANT OPTION" : "");
  }

  /** {@code REVOKE <privilege> ON DATABASE <database> FROM <grantee> CASCADE}. */
  public String revokeStatement(String database) {
    return "REVOKE "
        + privilege
        + " ON DATABASE "
        + Sql.identifier(database)
        + " FROM "
        + granteeSql()
        + " CASCADE";
  }

  private String granteeSql() {
    return grantee == null ? "PUBLIC" : Sql.identifier(grantee);
  }
}
