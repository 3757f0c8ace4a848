package io.pgshuttle.messages;

import com.fasterxml.jackson.annotation.JsonTypeName;
import java.util.List;

/**
 * The migration is done: the target holds the verified databases under their final names.
 *
 * @param databases the databases now on the target
 * @param verification VERIFY's summary, a line for a person
 */
@JsonTypeName("MigrationSucceeded")
public record MigrationSucceeded(List<String> databases, String verification) implements Event {
  public MigrationSucceeded {
    databases = databases == null ? List.of() : List.copyOf(databases);
  }
}
