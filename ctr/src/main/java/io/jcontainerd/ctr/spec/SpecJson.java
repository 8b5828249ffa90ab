package io.jcontainerd.ctr.spec;

import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Writes a {@link Spec} as the JSON Jackson wrote for it (the same members in the same order, the
 * same omissions as each record's {@code @JsonInclude}, the same escapes), without Jackson: setting up
 * an {@code ObjectMapper} and introspecting the records (their annotations are proxies generated at
 * run time) cost about a third of a {@code jctr run}'s CPU (README "Performance", follow-up 7).
 * SpecJsonTest holds the two to the same output.
 */
public final class SpecJson {
    /** What a record's {@code @JsonInclude} leaves out: nothing, nulls, or nulls and empty text, lists and maps. */
    private enum Omit { NOTHING, NULL, EMPTY }

    private SpecJson() {
    }

    public static String write(Spec s) {
        StringBuilder b = new StringBuilder(4096);
        spec(b, s);
        return b.toString();
    }

    private static void spec(StringBuilder b, Spec s) {
        Obj o = new Obj(b, Omit.EMPTY);
        o.text("ociVersion", s.ociVersion());
        o.object("process", s.process(), SpecJson::process);
        o.object("root", s.root(), SpecJson::root);
        o.text("hostname", s.hostname());
        o.list("mounts", s.mounts(), SpecJson::mount);
        o.map("annotations", s.annotations());
        o.object("linux", s.linux(), SpecJson::linux);
        o.end();
    }

    private static void process(StringBuilder b, Spec.Process p) {
        Obj o = new Obj(b, Omit.EMPTY);
        o.literal("terminal", p.terminal());
        o.object("user", p.user(), SpecJson::user);
        o.texts("args", p.args());
        o.texts("env", p.env());
        o.text("cwd", p.cwd());
        o.object("capabilities", p.capabilities(), SpecJson::capabilities);
        o.list("rlimits", p.rlimits(), SpecJson::rlimit);
        o.literal("noNewPrivileges", p.noNewPrivileges());
        o.end();
    }

    private static void user(StringBuilder b, Spec.User u) {
        Obj o = new Obj(b, Omit.NULL);
        o.literal("uid", u.uid());
        o.literal("gid", u.gid());
        o.list("additionalGids", u.additionalGids(), (bb, g) -> bb.append(g.longValue()));
        o.end();
    }

    private static void capabilities(StringBuilder b, Spec.Capabilities c) {
        Obj o = new Obj(b, Omit.EMPTY);
        o.texts("bounding", c.bounding());
        o.texts("effective", c.effective());
        o.texts("permitted", c.permitted());
        o.end();
    }

    private static void rlimit(StringBuilder b, Spec.Rlimit r) {
        Obj o = new Obj(b, Omit.NOTHING);
        o.text("type", r.type());
        o.literal("hard", r.hard());
        o.literal("soft", r.soft());
        o.end();
    }

    private static void root(StringBuilder b, Spec.Root r) {
        Obj o = new Obj(b, Omit.EMPTY);
        o.text("path", r.path());
        o.literal("readonly", r.readonly());
        o.end();
    }

    private static void mount(StringBuilder b, Spec.Mount m) {
        Obj o = new Obj(b, Omit.EMPTY);
        o.text("destination", m.destination());
        o.text("type", m.type());
        o.text("source", m.source());
        o.texts("options", m.options());
        o.end();
    }

    private static void linux(StringBuilder b, Spec.Linux l) {
        Obj o = new Obj(b, Omit.EMPTY);
        o.list("devices", l.devices(), SpecJson::device);
        o.object("resources", l.resources(), SpecJson::resources);
        o.text("cgroupsPath", l.cgroupsPath());
        o.list("namespaces", l.namespaces(), SpecJson::namespace);
        o.texts("maskedPaths", l.maskedPaths());
        o.texts("readonlyPaths", l.readonlyPaths());
        o.end();
    }

    private static void device(StringBuilder b, Spec.Device d) {
        Obj o = new Obj(b, Omit.NULL);
        o.text("path", d.path());
        o.text("type", d.type());
        o.literal("major", d.major());
        o.literal("minor", d.minor());
        o.literal("fileMode", d.fileMode());
        o.literal("uid", d.uid());
        o.literal("gid", d.gid());
        o.end();
    }

    private static void resources(StringBuilder b, Spec.Resources r) {
        Obj o = new Obj(b, Omit.EMPTY);
        o.list("devices", r.devices(), SpecJson::deviceRule);
        o.object("memory", r.memory(), SpecJson::memory);
        o.object("cpu", r.cpu(), SpecJson::cpu);
        o.end();
    }

    private static void deviceRule(StringBuilder b, Spec.DeviceRule d) {
        Obj o = new Obj(b, Omit.NULL);
        o.literal("allow", d.allow());
        o.text("type", d.type());
        o.literal("major", d.major());
        o.literal("minor", d.minor());
        o.text("access", d.access());
        o.end();
    }

    private static void memory(StringBuilder b, Spec.Memory m) {
        Obj o = new Obj(b, Omit.NOTHING);
        o.literal("limit", m.limit());
        o.end();
    }

    private static void cpu(StringBuilder b, Spec.Cpu c) {
        Obj o = new Obj(b, Omit.NULL);
        o.literal("shares", c.shares());
        o.literal("quota", c.quota());
        o.literal("period", c.period());
        o.end();
    }

    private static void namespace(StringBuilder b, Spec.Namespace n) {
        Obj o = new Obj(b, Omit.NULL);
        o.text("type", n.type());
        o.text("path", n.path());
        o.end();
    }

    /** One JSON object being written: members separated by commas, left out as {@code omit} says. */
    private static final class Obj {
        private final StringBuilder b;
        private final Omit omit;
        private boolean any;

        Obj(StringBuilder b, Omit omit) {
            this.b = b;
            this.omit = omit;
            b.append('{');
        }

        private boolean skip(Object v, boolean empty) {
            return v == null ? omit != Omit.NOTHING : empty && omit == Omit.EMPTY;
        }

        private StringBuilder key(String k) {
            if (any) {
                b.append(',');
            }
            any = true;
            quote(b, k);
            return b.append(':');
        }

        void text(String k, String v) {
            if (!skip(v, v != null && v.isEmpty())) {
                if (v == null) {
                    key(k).append("null");
                } else {
                    quote(key(k), v);
                }
            }
        }

        /** A number or a boolean, written as Java prints it (as Jackson does for these types). */
        void literal(String k, Object v) {
            if (!skip(v, false)) {
                key(k).append(v);
            }
        }

        <T> void object(String k, T v, BiConsumer<StringBuilder, T> writer) {
            if (!skip(v, false)) {
                if (v == null) {
                    key(k).append("null");
                } else {
                    writer.accept(key(k), v);
                }
            }
        }

        <T> void list(String k, List<T> v, BiConsumer<StringBuilder, T> element) {
            if (skip(v, v != null && v.isEmpty())) {
                return;
            }
            if (v == null) {
                key(k).append("null");
                return;
            }
            key(k).append('[');
            for (int i = 0; i < v.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                T e = v.get(i);
                if (e == null) {
                    b.append("null");
                } else {
                    element.accept(b, e);
                }
            }
            b.append(']');
        }

        void texts(String k, List<String> v) {
            list(k, v, SpecJson::quote);
        }

        void map(String k, Map<String, String> v) {
            if (skip(v, v != null && v.isEmpty())) {
                return;
            }
            if (v == null) {
                key(k).append("null");
                return;
            }
            key(k).append('{');
            boolean first = true;
            for (Map.Entry<String, String> e : v.entrySet()) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                quote(b, e.getKey());
                b.append(':');
                if (e.getValue() == null) {
                    b.append("null");
                } else {
                    quote(b, e.getValue());
                }
            }
            b.append('}');
        }

        void end() {
            b.append('}');
        }
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    /** A JSON string as Jackson escapes it: quote, backslash, the five short escapes, other control characters as a six-character escape (backslash, u, 00, two upper-case hex digits). */
    static void quote(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
