package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Maps a parsed config.json tree ({@link Json}) onto the spec records, naming the field on a type error. */
public final class SpecJson {
    private SpecJson() {}

    public static Spec spec(Object tree) {
        Map<String, Object> m = obj(tree, "config.json");
        return new Spec(str(m, "ociVersion"), opt(m, "process", SpecJson::process), opt(m, "root", r -> {
            Map<String, Object> o = obj(r, "root");
            return new Root(str(o, "path"), bool(o, "readonly"));
        }), str(m, "hostname"), str(m, "domainname"), list(m, "mounts", SpecJson::mount), opt(m, "hooks", SpecJson::hooks),
                strMap(m, "annotations"), opt(m, "linux", SpecJson::linux));
    }

    public static Process process(Object tree) {
        Map<String, Object> m = obj(tree, "process");
        return new Process(bool(m, "terminal"), opt(m, "consoleSize", c -> {
            Map<String, Object> o = obj(c, "consoleSize");
            return new Process.ConsoleSize(winsize(o, "height"), winsize(o, "width"));
        }), opt(m, "user", u -> {
            Map<String, Object> o = obj(u, "user");
            return new User(lng(o, "uid", 0), lng(o, "gid", 0), o.get("umask") == null ? null : (int) lng(o, "umask", 0),
                    list(o, "additionalGids", g -> num(g, "additionalGids").longValue()));
        }), strings(m, "args"), strings(m, "env"), str(m, "cwd"), opt(m, "capabilities", c -> {
            Map<String, Object> o = obj(c, "capabilities");
            return new Capabilities(strings(o, "bounding"), strings(o, "effective"), strings(o, "inheritable"),
                    strings(o, "permitted"), strings(o, "ambient"));
        }), list(m, "rlimits", r -> {
            Map<String, Object> o = obj(r, "rlimits");
            return new Rlimit(str(o, "type"), big(o.get("hard")), big(o.get("soft")));
        }), bool(m, "noNewPrivileges"), str(m, "apparmorProfile"),
                m.get("oomScoreAdj") == null ? null : (int) lng(m, "oomScoreAdj", 0), str(m, "selinuxLabel"));
    }

    private static Mount mount(Object tree) {
        Map<String, Object> o = obj(tree, "mounts");
        return new Mount(str(o, "destination"), str(o, "type"), str(o, "source"), strings(o, "options"));
    }

    private static Hooks hooks(Object tree) {
        Map<String, Object> o = obj(tree, "hooks");
        Function<Object, Hooks.Hook> hook = h -> {
            Map<String, Object> x = obj(h, "hooks");
            return new Hooks.Hook(str(x, "path"), strings(x, "args"), strings(x, "env"),
                    x.get("timeout") == null ? null : (int) lng(x, "timeout", 0));
        };
        return new Hooks(list(o, "prestart", hook), list(o, "createRuntime", hook), list(o, "createContainer", hook),
                list(o, "startContainer", hook), list(o, "poststart", hook), list(o, "poststop", hook));
    }

    private static Linux linux(Object tree) {
        Map<String, Object> m = obj(tree, "linux");
        refuseUnsupported(m);
        return new Linux(list(m, "namespaces", n -> {
            Map<String, Object> o = obj(n, "linux.namespaces");
            return new Linux.Namespace(str(o, "type"), str(o, "path"));
        }), list(m, "uidMappings", x -> x), list(m, "gidMappings", x -> x), strMap(m, "sysctl"),
                opt(m, "resources", SpecJson::resources), str(m, "cgroupsPath"), str(m, "rootfsPropagation"),
                opt(m, "seccomp", SpecJson::seccomp), strings(m, "maskedPaths"), strings(m, "readonlyPaths"),
                list(m, "devices", d -> {
                    Map<String, Object> o = obj(d, "linux.devices");
                    return new Linux.Device(str(o, "path"), str(o, "type"), lng(o, "major", 0), lng(o, "minor", 0),
                            o.get("fileMode") == null ? null : (int) lng(o, "fileMode", 0),
                            o.get("uid") == null ? null : lng(o, "uid", 0), o.get("gid") == null ? null : lng(o, "gid", 0));
                }), str(m, "mountLabel"));
    }

    /**
     * Fields jrunc does not implement are refused rather than ignored (a container must not run without a limit
     * or setting its spec asks for); empty values ([], {}, false, 0) are accepted.
     */
    private static void refuseUnsupported(Map<String, Object> linux) {
        for (String key : List.of("intelRdt", "personality")) refuseIfSet(linux.get(key), "linux." + key);
        if (!(linux.get("resources") instanceof Map<?, ?> r)) return;
        for (String key : List.of("hugepageLimits", "network", "rdma", "unified")) refuseIfSet(r.get(key), "linux.resources." + key);
        refuseOthers(r.get("blockIO"), "linux.resources.blockIO", List.of("weight"));
        refuseOthers(r.get("memory"), "linux.resources.memory", List.of("limit", "reservation", "swap", "swappiness"));
        refuseOthers(r.get("cpu"), "linux.resources.cpu", List.of("shares", "quota", "period", "realtimeRuntime", "realtimePeriod", "cpus", "mems"));
    }

    private static void refuseOthers(Object block, String name, List<String> supported) {
        if (!(block instanceof Map<?, ?> b)) return;
        for (var e : b.entrySet()) if (!supported.contains(String.valueOf(e.getKey()))) refuseIfSet(e.getValue(), name + "." + e.getKey());
    }

    private static void refuseIfSet(Object value, String name) {
        // an instanceof chain, not a pattern switch: its bootstrap class would be generated at every start
        boolean set;
        if (value == null) set = false;
        else if (value instanceof Boolean b) set = b;
        else if (value instanceof Number n) set = n.doubleValue() != 0;
        else if (value instanceof String str) set = !str.isEmpty();
        else if (value instanceof Map<?, ?> mp) set = !mp.isEmpty();
        else if (value instanceof List<?> l) set = !l.isEmpty();
        else set = true;
        if (set) throw JruncException.invalidArgument("config.json: %s is not supported by jrunc; remove it (jrunc refuses it rather than run the container without it)", name);
    }

    public static Resources resources(Object tree) {
        Map<String, Object> m = obj(tree, "linux.resources");
        return new Resources(list(m, "devices", d -> {
            Map<String, Object> o = obj(d, "linux.resources.devices");
            return new Resources.DeviceRule(bool(o, "allow"), str(o, "type"), optLong(o, "major"), optLong(o, "minor"), str(o, "access"));
        }), opt(m, "memory", x -> {
            Map<String, Object> o = obj(x, "linux.resources.memory");
            return new Resources.Memory(optLong(o, "limit"), optLong(o, "reservation"), optLong(o, "swap"), optLong(o, "swappiness"));
        }), opt(m, "cpu", x -> {
            Map<String, Object> o = obj(x, "linux.resources.cpu");
            return new Resources.Cpu(optLong(o, "shares"), optLong(o, "quota"), optLong(o, "period"), optLong(o, "realtimeRuntime"),
                    optLong(o, "realtimePeriod"), str(o, "cpus"), str(o, "mems"));
        }), opt(m, "pids", x -> new Resources.Pids(lng(obj(x, "linux.resources.pids"), "limit", 0))), opt(m, "blockIO", x -> {
            Long weight = optLong(obj(x, "linux.resources.blockIO"), "weight");
            return new Resources.BlockIO(weight == null ? null : weight.intValue());
        }));
    }

    private static Seccomp seccomp(Object tree) {
        Map<String, Object> m = obj(tree, "linux.seccomp");
        return new Seccomp(str(m, "defaultAction"), m.get("defaultErrnoRet") == null ? null : (int) lng(m, "defaultErrnoRet", 0),
                strings(m, "architectures"), strings(m, "flags"), list(m, "syscalls", s -> {
                    Map<String, Object> o = obj(s, "linux.seccomp.syscalls");
                    return new Seccomp.Syscall(strings(o, "names"), str(o, "action"),
                            o.get("errnoRet") == null ? null : (int) lng(o, "errnoRet", 0), list(o, "args", a -> {
                                Map<String, Object> x = obj(a, "linux.seccomp.syscalls.args");
                                return new Seccomp.Arg((int) lng(x, "index", 0), big(x.get("value")), big(x.get("valueTwo")), str(x, "op"));
                            }));
                }));
    }

    // helpers: each names the field when the type is wrong

    @SuppressWarnings("unchecked")
    static Map<String, Object> obj(Object v, String field) {
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        throw JruncException.invalidArgument("config.json: %s must be an object", field);
    }

    private static <T> T opt(Map<String, Object> m, String k, Function<Object, T> f) {
        Object v = m.get(k);
        return v == null ? null : f.apply(v);
    }

    private static <T> List<T> list(Map<String, Object> m, String k, Function<Object, T> f) {
        Object v = m.get(k);
        if (v == null) return null;
        if (!(v instanceof List<?> l)) throw JruncException.invalidArgument("config.json: %s must be an array", k);
        List<T> out = new ArrayList<>(l.size());
        for (Object e : l) out.add(f.apply(e));
        return out;
    }

    private static List<String> strings(Map<String, Object> m, String k) {
        return list(m, k, e -> {
            if (e instanceof String s) return s;
            throw JruncException.invalidArgument("config.json: %s must hold strings", k);
        });
    }

    private static Map<String, String> strMap(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) return null;
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : obj(v, k).entrySet()) {
            if (!(e.getValue() instanceof String s)) throw JruncException.invalidArgument("config.json: %s.%s must be a string", k, e.getKey());
            out.put(e.getKey(), s);
        }
        return out;
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null || v instanceof String) return (String) v;
        throw JruncException.invalidArgument("config.json: %s must be a string", k);
    }

    private static boolean bool(Map<String, Object> m, String k) {
        Object v = m.get(k);
        if (v == null) return false;
        if (v instanceof Boolean b) return b;
        throw JruncException.invalidArgument("config.json: %s must be true or false", k);
    }

    private static Number num(Object v, String k) {
        if (v instanceof Number n) return n;
        throw JruncException.invalidArgument("config.json: %s must be a number", k);
    }

    /** A consoleSize field: a terminal's rows or columns are an unsigned short (struct winsize). */
    private static int winsize(Map<String, Object> m, String k) {
        long v = lng(m, k, 0);
        if (v < 0 || v > 65535) {
            throw JruncException.invalidArgument("config.json: process.consoleSize.%s %d is out of range: a terminal has 0 to 65535 %s",
                    k, v, k.equals("height") ? "rows" : "columns");
        }
        return (int) v;
    }

    private static long lng(Map<String, Object> m, String k, long dflt) {
        Object v = m.get(k);
        return v == null ? dflt : num(v, k).longValue();
    }

    private static Long optLong(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? null : num(v, k).longValue();
    }

    private static BigInteger big(Object v) {
        if (v == null) return null;
        if (v instanceof BigInteger b) return b;
        if (v instanceof Long l) return BigInteger.valueOf(l);
        throw JruncException.invalidArgument("config.json: rlimit/seccomp value %s must be an integer", v);
    }
}
