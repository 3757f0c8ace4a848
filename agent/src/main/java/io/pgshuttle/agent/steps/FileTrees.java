package io.pgshuttle.agent.steps;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Sizes and deletion of directory trees on the disk. Stateless. */
final class FileTrees {
  private FileTrees() {}

  /**
   * The bytes of the regular files under {@code root}; 0 if it does not exist. Files that vanish
   * while it counts (a tool's temporary files) are skipped.
   */
  static long size(Path root) {
    if (!Files.exists(root)) {
      return 0;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      return paths.filter(Files::isRegularFile).mapToLong(FileTrees::sizeOrZero).sum();
    } catch (IOException | UncheckedIOException e) {
      return 0;
    }
  }

  private static long sizeOrZero(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      return 0;
    }
  }

  /** Deletes {@code root} and everything under it; nothing happens if it does not exist. */
  static void delete(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(root)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path path : paths) {
      try {
        Files.deleteIfExists(path);
      } catch (NoSuchFileException gone) {
        // Deleted meanwhile: that is what we want.
      }
    }
  }
}
