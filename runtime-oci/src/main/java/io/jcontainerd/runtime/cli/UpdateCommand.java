package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * update [--resources file|-] [--memory ...] id: runc's flags. A resources file (LinuxResources JSON, "-"
 * for stdin) makes every other flag ignored, as in runc.
 */
final class UpdateCommand {
    private static final Pattern SIZE = Pattern.compile("^(\\d+(?:\\.\\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$");
    private static final Map<String, Boolean> OPTIONS = Args.spec(Set.of("resources", "blkio-weight", "cpu-period", "cpu-quota",
            "cpu-share", "cpu-rt-period", "cpu-rt-runtime", "cpuset-cpus", "cpuset-mems", "kernel-memory", "kernel-memory-tcp",
            "memory", "memory-reservation", "memory-swap", "pids-limit", "l3-cache-schema", "mem-bw-schema"), Set.of());

    private UpdateCommand() {}

    static int run(Main main, List<String> argv) throws IOException {
        Args a = Args.parse("update", argv, OPTIONS, Map.of("r", "resources"), false);
        String id = a.id("update");
        String file = a.value("resources", null);
        if (file != null) {
            String source = file.equals("-") ? "resources from stdin" : "resources file " + file;
            main.containers().update(id, parse(file, source), source);
        } else {
            main.containers().update(id, fromFlags(a), "update flags");
        }
        return 0;
    }

    private static Object parse(String file, String source) throws IOException {
        String text;
        try {
            text = file.equals("-") ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8) : Files.readString(Path.of(file));
        } catch (NoSuchFileException e) {
            throw JruncException.invalidArgument("update: %s does not exist", source);
        }
        try {
            return Json.parse(text);
        } catch (JruncException e) {
            throw JruncException.invalidArgument("update: %s is not valid JSON: %s", source, e.getMessage());
        }
    }

    /** The flags as the LinuxResources object runc builds from them. */
    static Map<String, Object> fromFlags(Args a) {
        for (String rdt : List.of("l3-cache-schema", "mem-bw-schema")) {
            if (a.value(rdt, null) != null) throw JruncException.failedPrecondition("update: --%s: Intel RDT is not enabled on this host", rdt);
        }
        for (String gone : List.of("kernel-memory", "kernel-memory-tcp")) {
            if (a.value(gone, null) != null) System.err.println("jrunc: setting --" + gone + " is ignored and will be removed");
        }
        Map<String, Object> memory = new LinkedHashMap<>(), cpu = new LinkedHashMap<>();
        put(memory, "limit", size(a, "memory"));
        put(memory, "reservation", size(a, "memory-reservation"));
        put(memory, "swap", size(a, "memory-swap"));
        put(cpu, "shares", number(a, "cpu-share", false));
        put(cpu, "quota", number(a, "cpu-quota", true));
        put(cpu, "period", number(a, "cpu-period", false));
        put(cpu, "realtimeRuntime", number(a, "cpu-rt-runtime", true));
        put(cpu, "realtimePeriod", number(a, "cpu-rt-period", false));
        put(cpu, "cpus", a.value("cpuset-cpus", null));
        put(cpu, "mems", a.value("cpuset-mems", null));
        Map<String, Object> r = new LinkedHashMap<>();
        if (!memory.isEmpty()) r.put("memory", memory);
        if (!cpu.isEmpty()) r.put("cpu", cpu);
        Long pids = number(a, "pids-limit", true);
        if (pids != null) r.put("pids", Map.of("limit", pids));
        Long weight = number(a, "blkio-weight", false);
        if (weight != null) r.put("blockIO", Map.of("weight", weight));
        return r;
    }

    private static void put(Map<String, Object> m, String k, Object v) {
        if (v != null) m.put(k, v);
    }

    private static Long number(Args a, String flag, boolean signed) {
        String v = a.value(flag, null);
        if (v == null) return null;
        try {
            long n = Long.parseLong(v);
            if (!signed && n < 0) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw JruncException.invalidArgument("update: invalid value for --%s: %s is not %s integer", flag, v, signed ? "an" : "a non-negative");
        }
    }

    /** docker/go-units' RAMInBytes: 512, 64k, 1.5g, 2GiB (powers of 1024); -1 for unlimited. */
    static Long size(Args a, String flag) {
        String v = a.value(flag, null);
        if (v == null) return null;
        if (v.equals("-1")) return -1L;
        Matcher m = SIZE.matcher(v);
        if (!m.matches()) throw JruncException.invalidArgument("update: invalid value for --%s: %s is not a size (bytes, or a number with k, m, g, t or p)", flag, v);
        int shift = m.group(2) == null ? 0 : 10 * ("kmgtp".indexOf(Character.toLowerCase(m.group(2).charAt(0))) + 1);
        return (long) (Double.parseDouble(m.group(1)) * (1L << shift));
    }
}
