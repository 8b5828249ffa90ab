package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/** Reads and validates a bundle's config.json; every refusal names the field that was wrong. */
public final class SpecLoader {
    private static final Set<String> NAMESPACES = Set.of("pid", "network", "mount", "ipc", "uts", "user", "cgroup", "time");

    private SpecLoader() {}

    /** The parsed config.json: the tree (kept verbatim in state.json) and the records. */
    public record Loaded(Object tree, Spec spec) {}

    public static Spec load(Path bundle) { return loadWithTree(bundle).spec(); }

    public static Loaded loadWithTree(Path bundle) {
        Path config = bundle.resolve("config.json");
        Object tree;
        try {
            tree = Json.parse(Files.readString(config));
        } catch (NoSuchFileException e) {
            throw JruncException.notFound("config.json not found in bundle %s: run `jrunc spec` there or pass --bundle", bundle);
        } catch (JruncException e) {
            throw JruncException.invalidArgument("malformed %s: %s", config, e.getMessage());
        } catch (IOException e) {
            throw JruncException.system("cannot read %s: %s", config, e.getMessage());
        }
        Spec spec = SpecJson.spec(tree);
        validate(spec, bundle);
        return new Loaded(tree, spec);
    }

    private static void validateHooks(Hooks hooks) {
        var phases = new java.util.LinkedHashMap<String, java.util.List<Hooks.Hook>>();
        phases.put("prestart", hooks.prestart());
        phases.put("createRuntime", hooks.createRuntime());
        phases.put("createContainer", hooks.createContainer());
        phases.put("startContainer", hooks.startContainer());
        phases.put("poststart", hooks.poststart());
        phases.put("poststop", hooks.poststop());
        phases.forEach((phase, list) -> {
            for (int i = 0; i < list.size(); i++) {
                Hooks.Hook h = list.get(i);
                if (h.path() == null || !h.path().startsWith("/")) {
                    throw JruncException.invalidArgument("config.json: hooks.%s[%d].path %s is not an absolute path", phase, i, h.path());
                }
                if (h.timeout() != null && h.timeout() <= 0) {
                    throw JruncException.invalidArgument("config.json: hooks.%s[%d].timeout %d must be greater than zero (seconds)", phase, i, h.timeout());
                }
            }
        });
    }

    static void validate(Spec spec, Path bundle) {
        String v = spec.ociVersion();
        if (v == null || v.isBlank()) throw JruncException.invalidArgument("config.json: ociVersion is missing; expected 1.x.y");
        if (!v.startsWith("1.")) throw JruncException.invalidArgument("config.json: ociVersion %s is not supported; jrunc implements runtime-spec 1.x", v);
        if (spec.root() == null || spec.root().path() == null || spec.root().path().isBlank()) {
            throw JruncException.invalidArgument("config.json: root.path is missing; set it to the rootfs directory (usually \"rootfs\")");
        }
        Path rootfs = bundle.resolve(spec.root().path());
        if (!Files.isDirectory(rootfs)) throw JruncException.invalidArgument("config.json: root.path %s is not a directory", rootfs);
        if (spec.process() != null) {
            if (spec.process().args().isEmpty()) throw JruncException.invalidArgument("config.json: process.args is empty; name the program to run");
            String cwd = spec.process().cwd();
            if (cwd != null && !cwd.startsWith("/")) throw JruncException.invalidArgument("config.json: process.cwd %s is not absolute", cwd);
        }
        for (Mount m : spec.mounts()) {
            if (m.destination() == null || !m.destination().startsWith("/")) {
                throw JruncException.invalidArgument("config.json: mount destination %s is not an absolute path", m.destination());
            }
        }
        if (spec.process() != null) {
            var types = new java.util.HashSet<String>();
            for (var r : spec.process().rlimits()) {
                if (!types.add(r.type())) {
                    throw JruncException.invalidArgument("config.json: process.rlimits sets %s more than once; keep one entry per type", r.type());
                }
            }
        }
        var seen = new java.util.HashSet<String>();
        for (Linux.Namespace ns : spec.linux().namespaces()) {
            if (!NAMESPACES.contains(ns.type())) throw JruncException.invalidArgument("config.json: linux.namespaces type %s is unknown", ns.type());
            if (!seen.add(ns.type())) {
                throw JruncException.invalidArgument("config.json: linux.namespaces lists type %s more than once; keep one entry per type", ns.type());
            }
            if (ns.type().equals("user")) {
                throw JruncException.invalidArgument("config.json: linux.namespaces type user is not supported by jrunc (a multithreaded JVM cannot create or join a user namespace); remove it and run as root");
            }
            if (ns.type().equals("time")) throw JruncException.invalidArgument("config.json: linux.namespaces type time is not supported by jrunc");
        }
        if (!spec.linux().uidMappings().isEmpty() || !spec.linux().gidMappings().isEmpty()) {
            throw JruncException.invalidArgument("config.json: linux.uidMappings/gidMappings are not supported by jrunc (they need a user"
                    + " namespace, which a multithreaded JVM cannot create or join); remove them and run as root");
        }
        validateHooks(spec.hooks());
        SysctlPolicy.check(spec.linux().sysctl(), spec.linux().namespaces());
        String prop = spec.linux().rootfsPropagation();
        if (prop != null && !prop.isEmpty() && MountOptions.propagation(prop) == 0) {
            throw JruncException.invalidArgument("config.json: linux.rootfsPropagation %s is not one of shared, slave, private, unbindable (r-prefixed too)", prop);
        }
    }
}
