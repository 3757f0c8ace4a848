package io.pgshuttle.agent.transfer;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A part of a table on the disk, complete.
 *
 * @param part which part of which table
 * @param path the file
 * @param checksum of its lines, computed while it was written
 */
public record DumpedFile(CopyPart part, Path path, Checksum checksum) {
  public DumpedFile {
    Objects.requireNonNull(part, "part");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(checksum, "checksum");
  }
}
