package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Resources.DeviceRule;

import java.util.ArrayList;
import java.util.List;

/**
 * linux.resources.devices as cgroup v1 applies them, in order, to a cgroup that starts out allowing
 * everything: a rule of type "a" sets the default (allow or deny) and forgets every exception; any
 * other rule either adds an exception to the default (merging access into one for the same type,
 * major and minor) or, when it agrees with the default, takes its access away from the exception for
 * exactly that type, major and minor. runc's allow-list for every container comes after the spec's.
 */
final class DeviceRules {
    /** BPF_DEVCG_ACC_* bits: mknod, read, write. */
    static final int MKNOD = 1, READ = 2, WRITE = 4, ALL = 7;

    static final List<DeviceRule> DEFAULTS = List.of(allow('c', -1, -1, "m"), allow('b', -1, -1, "m"),
            allow('c', 1, 3, "rwm"), allow('c', 1, 8, "rwm"), allow('c', 1, 7, "rwm"), allow('c', 5, 0, "rwm"),
            allow('c', 1, 5, "rwm"), allow('c', 1, 9, "rwm"), allow('c', 136, -1, "rwm"), allow('c', 5, 2, "rwm"),
            allow('c', 10, 200, "rwm"));

    /** One exception: char ('c') or block ('b'), major and minor (-1: any), access bits. */
    record Exception(char type, long major, long minor, int access) {}

    /** The outcome: what is allowed by default and the exceptions to it. */
    record Effective(boolean defaultAllow, List<Exception> exceptions) {}

    private DeviceRules() {}

    private static DeviceRule allow(char type, long major, long minor, String access) {
        return new DeviceRule(true, String.valueOf(type), major, minor, access);
    }

    /** The rule as cgroup v1's devices.allow / devices.deny take it ("c 1:3 rwm", "a"). */
    static String v1(DeviceRule r) {
        String type = r.type() == null ? "a" : r.type();
        if (type.equals("a")) return "a";
        // concatenated, not formatted: every create writes these, and Formatter's first use costs ms
        return type + " " + (r.major() == null || r.major() < 0 ? "*" : r.major().toString()) + ":"
                + (r.minor() == null || r.minor() < 0 ? "*" : r.minor().toString()) + " "
                + (r.access() == null || r.access().isEmpty() ? "rwm" : r.access());
    }

    static Effective evaluate(List<DeviceRule> rules) {
        boolean defaultAllow = true;
        List<Exception> exceptions = new ArrayList<>();
        for (DeviceRule r : rules) {
            String type = r.type() == null || r.type().isEmpty() ? "a" : r.type();
            if (type.equals("a")) {
                defaultAllow = r.allow();
                exceptions.clear();
                continue;
            }
            if (!type.equals("c") && !type.equals("b")) {
                throw JruncException.invalidArgument("linux.resources.devices: type %s is not one of a, b, c", type);
            }
            Exception e = new Exception(type.charAt(0), number(r.major(), "major"), number(r.minor(), "minor"), access(r.access()));
            int at = indexOf(exceptions, e);
            if (r.allow() != defaultAllow) {
                if (at < 0) exceptions.add(e);
                else exceptions.set(at, withAccess(exceptions.get(at), exceptions.get(at).access() | e.access()));
            } else if (at >= 0) {
                int left = exceptions.get(at).access() & ~e.access();
                if (left == 0) exceptions.remove(at);
                else exceptions.set(at, withAccess(exceptions.get(at), left));
            }
        }
        return new Effective(defaultAllow, List.copyOf(exceptions));
    }

    private static int indexOf(List<Exception> list, Exception e) {
        for (int i = 0; i < list.size(); i++) {
            Exception x = list.get(i);
            if (x.type() == e.type() && x.major() == e.major() && x.minor() == e.minor()) return i;
        }
        return -1;
    }

    private static Exception withAccess(Exception e, int access) { return new Exception(e.type(), e.major(), e.minor(), access); }

    private static long number(Long n, String what) {
        if (n == null || n < 0) return -1;
        if (n > 0xFFFF_FFFFL) throw JruncException.invalidArgument("linux.resources.devices: %s %d does not fit in 32 bits", what, n);
        return n;
    }

    static int access(String access) {
        if (access == null || access.isEmpty()) return ALL;
        int bits = 0;
        for (char c : access.toCharArray()) {
            bits |= switch (c) {
                case 'r' -> READ;
                case 'w' -> WRITE;
                case 'm' -> MKNOD;
                default -> throw JruncException.invalidArgument("linux.resources.devices: access %s has %s; use r, w and m", access, c);
            };
        }
        return bits;
    }
}
