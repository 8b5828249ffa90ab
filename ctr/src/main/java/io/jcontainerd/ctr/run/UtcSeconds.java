package io.jcontainerd.ctr.run;

/**
 * A time in whole seconds as RFC 3339 UTC text ({@code 2026-12-07T04:40:12Z}), as {@code Instant.toString()}
 * writes it, for the lease's {@code containerd.io/gc.expire} label. Not java.time: formatting an Instant
 * initialises {@code DateTimeFormatter} and its builders, a few ms of interpreted CPU in a JVM that runs
 * once (README "Performance", session 11).
 */
final class UtcSeconds {
    private UtcSeconds() {
    }

    /** {@code epochSecond} (years 1970 to 9999) as {@code yyyy-MM-ddTHH:mm:ssZ}. */
    static String format(long epochSecond) {
        if (epochSecond < 0 || epochSecond >= 253_402_300_800L) { // 10000-01-01T00:00:00Z
            throw new IllegalArgumentException("not a time between 1970 and 9999: " + epochSecond);
        }
        long days = epochSecond / 86_400;
        int secondOfDay = (int) (epochSecond % 86_400);
        // civil_from_days (H. Hinnant): days since 1970-01-01 to year, month, day of the proleptic Gregorian calendar
        long z = days + 719_468;
        long era = z / 146_097;
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
        StringBuilder b = new StringBuilder(20).append(year).append('-');
        two(b, month).append('-');
        two(b, day).append('T');
        two(b, secondOfDay / 3600).append(':');
        two(b, secondOfDay / 60 % 60).append(':');
        return two(b, secondOfDay % 60).append('Z').toString();
    }

    private static StringBuilder two(StringBuilder b, int n) {
        return b.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
    }
}
