package io.jcontainerd.ctr.output;

/** Byte counts the way ctr prints them: 1024-based with one decimal, "4.0 KiB". */
public final class Sizes {
    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Sizes() {
    }

    public static String human(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        double v = bytes;
        int u = 0;
        while (v >= 1024 && u < UNITS.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format("%.1f %s", v, UNITS[u]);
    }
}
