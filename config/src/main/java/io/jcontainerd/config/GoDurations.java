package io.jcontainerd.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations written as Go's {@code time.ParseDuration} reads them, as containerd's config and ctr's
 * flags take them: {@code 4h0m0s}, {@code 1m30s}, {@code 500ms}, {@code 1.5h}, {@code 0}. No sign is
 * taken (a negative timeout means nothing here); at most 64 characters and 100 years.
 */
public final class GoDurations {
    private static final int MAX_LENGTH = 64;

    /** Made on the first duration that is not zero: jctr reads its "0s" defaults on every start. */
    private static final class Parser {
        static final Pattern PART = Pattern.compile("(\\d{1,18}(?:\\.\\d{1,18})?)(ns|us|µs|ms|s|m|h)");
        static final BigDecimal MAX_NANOS = BigDecimal.valueOf(Duration.ofDays(36_525).toNanos());
    }

    private GoDurations() {
    }

    /** @throws IllegalArgumentException naming the text and showing the form to use */
    public static Duration parse(String value) {
        if (value.equals("0") || value.equals("0s")) {
            return Duration.ZERO;
        }
        if (value.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("invalid duration (longer than " + MAX_LENGTH + " characters): use e.g. 10s, 1m30s or 4h0m0s");
        }
        Matcher m = Parser.PART.matcher(value);
        BigDecimal nanos = BigDecimal.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unit)));
            end = m.end();
        }
        if (end != value.length() || end == 0) {
            throw new IllegalArgumentException("invalid duration \"" + value + "\": use e.g. 10s, 1m30s or 4h0m0s");
        }
        if (nanos.compareTo(Parser.MAX_NANOS) > 0) {
            throw new IllegalArgumentException("duration \"" + value + "\" is longer than 100 years");
        }
        return Duration.ofNanos(nanos.longValue());
    }
}
