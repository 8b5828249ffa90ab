package io.jcontainerd.runtime.init;

/** Reads /proc/PID/mountinfo lines (proc(5)): which mount holds a path, and whether it is shared. */
final class MountInfo {
    private MountInfo() {}

    /**
     * The mount point of the mount that holds path (the longest mount point that is path or one of its
     * parents; the last one listed wins when mounts are stacked) if that mount is shared, else null.
     */
    static String sharedMountHolding(String mountinfo, String path) {
        String best = null;
        boolean bestShared = false;
        for (String line : mountinfo.split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 7) continue;
            String mp = unescape(f[4]);
            if (!holds(mp, path) || (best != null && mp.length() < best.length())) continue;
            boolean shared = false;
            for (int i = 6; i < f.length && !f[i].equals("-"); i++) if (f[i].startsWith("shared:")) shared = true;
            best = mp;
            bestShared = shared;
        }
        return bestShared ? best : null;
    }

    private static boolean holds(String mountPoint, String path) {
        if (mountPoint.equals("/")) return true;
        return path.equals(mountPoint) || path.startsWith(mountPoint + "/");
    }

    /** mountinfo writes space, tab, newline and backslash as \ooo. */
    static String unescape(String s) {
        if (s.indexOf('\\') < 0) return s;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && isOctal(s, i + 1)) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private static boolean isOctal(String s, int from) {
        if (from + 3 > s.length()) return false;
        for (int i = from; i < from + 3; i++) if (s.charAt(i) < '0' || s.charAt(i) > '7') return false;
        return true;
    }
}
