package io.jcontainerd.ctr.spec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link Spec} as Jackson's databind wrote it (the same members in the same order, the same
 * omissions as each record's {@code @JsonInclude}), with jackson-core's generator only (the same
 * escapes, as it is the generator databind writes through): setting up an {@code ObjectMapper} and
 * introspecting the records (their annotations are proxies generated at run time) cost about a third
 * of a {@code jctr run}'s CPU (README "Performance", follow-up 7). SpecJsonTest holds the two to the
 * same output.
 */
public final class SpecJson {
    /** What a record's {@code @JsonInclude} leaves out: nothing, nulls, or nulls and empty text, lists and maps. */
    private enum Omit { NOTHING, NULL, EMPTY }

    private SpecJson() {
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    public static String write(Spec s) {
        StringWriter out = new StringWriter(4096);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            spec(g, s);
        } catch (IOException e) {
            throw new UncheckedIOException("writing the OCI spec to memory", e);
        }
        return out.toString();
    }

    private static void spec(JsonGenerator g, Spec s) throws IOException {
        Obj o = new Obj(g, Omit.EMPTY);
        o.text("ociVersion", s.ociVersion());
        o.object("process", s.process(), SpecJson::process);
        o.object("root", s.root(), SpecJson::root);
        o.text("hostname", s.hostname());
        o.list("mounts", s.mounts(), SpecJson::mount);
        o.map("annotations", s.annotations());
        o.object("linux", s.linux(), SpecJson::linux);
        o.end();
    }

    private static void process(JsonGenerator g, Spec.Process p) throws IOException {
        Obj o = new Obj(g, Omit.EMPTY);
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

    private static void user(JsonGenerator g, Spec.User u) throws IOException {
        Obj o = new Obj(g, Omit.NULL);
        o.literal("uid", u.uid());
        o.literal("gid", u.gid());
        o.list("additionalGids", u.additionalGids(), (out, gid) -> out.writeNumber(gid.longValue()));
        o.end();
    }

    private static void capabilities(JsonGenerator g, Spec.Capabilities c) throws IOException {
        Obj o = new Obj(g, Omit.EMPTY);
        o.texts("bounding", c.bounding());
        o.texts("effective", c.effective());
        o.texts("permitted", c.permitted());
        o.end();
    }

    private static void rlimit(JsonGenerator g, Spec.Rlimit r) throws IOException {
        Obj o = new Obj(g, Omit.NOTHING);
        o.text("type", r.type());
        o.literal("hard", r.hard());
        o.literal("soft", r.soft());
        o.end();
    }

    private static void root(JsonGenerator g, Spec.Root r) throws IOException {
        Obj o = new Obj(g, Omit.EMPTY);
        o.text("path", r.path());
        o.literal("readonly", r.readonly());
        o.end();
    }

    private static void mount(JsonGenerator g, Spec.Mount m) throws IOException {
        Obj o = new Obj(g, Omit.EMPTY);
        o.text("destination", m.destination());
        o.text("type", m.type());
        o.text("source", m.source());
        o.texts("options", m.options());
        o.end();
    }

    private static void linux(JsonGenerator g, Spec.Linux l) throws IOException {
        Obj o = new Obj(g, Omit.EMPTY);
        o.list("devices", l.devices(), SpecJson::device);
        o.object("resources", l.resources(), SpecJson::resources);
        o.text("cgroupsPath", l.cgroupsPath());
        o.list("namespaces", l.namespaces(), SpecJson::namespace);
        o.texts("maskedPaths", l.maskedPaths());
        o.texts("readonlyPaths", l.readonlyPaths());
        o.end();
    }

    private static void device(JsonGenerator g, Spec.Device d) throws IOException {
        Obj o = new Obj(g, Omit.NULL);
        o.text("path", d.path());
        o.text("type", d.type());
        o.literal("major", d.major());
        o.literal("minor", d.minor());
        o.literal("fileMode", d.fileMode());
        o.literal("uid", d.uid());
        o.literal("gid", d.gid());
        o.end();
    }

    private static void resources(JsonGenerator g, Spec.Resources r) throws IOException {
        Obj o = new Obj(g, Omit.EMPTY);
        o.list("devices", r.devices(), SpecJson::deviceRule);
        o.object("memory", r.memory(), SpecJson::memory);
        o.object("cpu", r.cpu(), SpecJson::cpu);
        o.end();
    }

    private static void deviceRule(JsonGenerator g, Spec.DeviceRule d) throws IOException {
        Obj o = new Obj(g, Omit.NULL);
        o.literal("allow", d.allow());
        o.text("type", d.type());
        o.literal("major", d.major());
        o.literal("minor", d.minor());
        o.text("access", d.access());
        o.end();
    }

    private static void memory(JsonGenerator g, Spec.Memory m) throws IOException {
        Obj o = new Obj(g, Omit.NOTHING);
        o.literal("limit", m.limit());
        o.end();
    }

    private static void cpu(JsonGenerator g, Spec.Cpu c) throws IOException {
        Obj o = new Obj(g, Omit.NULL);
        o.literal("shares", c.shares());
        o.literal("quota", c.quota());
        o.literal("period", c.period());
        o.end();
    }

    private static void namespace(JsonGenerator g, Spec.Namespace n) throws IOException {
        Obj o = new Obj(g, Omit.NULL);
        o.text("type", n.type());
        o.text("path", n.path());
        o.end();
    }

    /** Writes one value of type T (a record of the spec) with the generator. */
    @FunctionalInterface
    private interface Writer<T> {
        void write(JsonGenerator g, T value) throws IOException;
    }

    /** One JSON object being written: members left out as {@code omit} says. */
    private static final class Obj {
        private final JsonGenerator g;
        private final Omit omit;

        Obj(JsonGenerator g, Omit omit) throws IOException {
            this.g = g;
            this.omit = omit;
            g.writeStartObject();
        }

        private boolean skip(Object v, boolean empty) {
            return v == null ? omit != Omit.NOTHING : empty && omit == Omit.EMPTY;
        }

        void text(String k, String v) throws IOException {
            if (!skip(v, v != null && v.isEmpty())) {
                g.writeStringField(k, v);
            }
        }

        /** A number or a boolean (the spec's Integer, Long and Boolean members). */
        void literal(String k, Object v) throws IOException {
            if (skip(v, false)) {
                return;
            }
            g.writeFieldName(k);
            // instanceof tests, not a pattern switch: its bootstrap (SwitchBootstraps.typeSwitch) generates a class at run
            // time, ~5-10 ms of a run's main thread (README "Performance", session 13)
            if (v == null) {
                g.writeNull();
            } else if (v instanceof Boolean b) {
                g.writeBoolean(b);
            } else if (v instanceof Integer i) {
                g.writeNumber(i);
            } else if (v instanceof Long l) {
                g.writeNumber(l);
            } else {
                throw new IllegalArgumentException("spec member " + k + " is a " + v.getClass().getName()
                        + ", not a number or a boolean");
            }
        }

        <T> void object(String k, T v, Writer<T> writer) throws IOException {
            if (skip(v, false)) {
                return;
            }
            g.writeFieldName(k);
            if (v == null) {
                g.writeNull();
            } else {
                writer.write(g, v);
            }
        }

        <T> void list(String k, List<T> v, Writer<T> element) throws IOException {
            if (skip(v, v != null && v.isEmpty())) {
                return;
            }
            g.writeFieldName(k);
            if (v == null) {
                g.writeNull();
                return;
            }
            g.writeStartArray();
            for (T e : v) {
                if (e == null) {
                    g.writeNull();
                } else {
                    element.write(g, e);
                }
            }
            g.writeEndArray();
        }

        void texts(String k, List<String> v) throws IOException {
            list(k, v, JsonGenerator::writeString);
        }

        void map(String k, Map<String, String> v) throws IOException {
            if (skip(v, v != null && v.isEmpty())) {
                return;
            }
            g.writeFieldName(k);
            if (v == null) {
                g.writeNull();
                return;
            }
            g.writeStartObject();
            for (Map.Entry<String, String> e : v.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
        }

        void end() throws IOException {
            g.writeEndObject();
        }
    }
}
