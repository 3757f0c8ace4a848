package io.pgshuttle.cli;

import io.pgshuttle.messages.SslMode;
import io.pgshuttle.messages.VerifyLevel;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values written as on the wire ({@code verify-full}, {@code counts}), any case. */
final class WireNames {
  private WireNames() {}

  static <E extends Enum<E>> E find(E[] values, Function<E, String> wireName, String text) {
    String wanted = text.trim().toLowerCase(Locale.ROOT);
    return Arrays.stream(values)
        .filter(value -> wireName.apply(value).equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new TypeConversionException(
                    "'"
                        + text
                        + "' is not one of "
                        + Arrays.stream(values).map(wireName).collect(Collectors.joining(", "))));
  }

  /** {@code --verify full|counts}. */
  static final class VerifyLevelConverter implements ITypeConverter<VerifyLevel> {
    @Override
    public VerifyLevel convert(String value) {
      return find(VerifyLevel.values(), VerifyLevel::wireName, value);
    }
  }

  /** {@code --sslmode disable|allow|prefer|require|verify-ca|verify-full}. */
  static final class SslModeConverter implements ITypeConverter<SslMode> {
    @Override
    public SslMode convert(String value) {
      return find(SslMode.values(), SslMode::libpqName, value);
    }
  }
}
