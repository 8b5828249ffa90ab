package io.jcontainerd.ctr;

import io.jcontainerd.config.GoDurations;
import picocli.CommandLine;

import java.time.Duration;

/** Reads durations the way ctr's flags take them: {@code 10s}, {@code 1m30s}, {@code 500ms}, {@code 0}. */
public final class GoDuration implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    public static Duration parse(String value) {
        try {
            return GoDurations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException(e.getMessage());
        }
    }
}
