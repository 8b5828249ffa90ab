package io.jcontainerd.supervisor.cri;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.api.cri.v1.SecurityProfile;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A CRI seccomp choice turned into the OCI spec's {@code linux.seccomp}: {@code RuntimeDefault}
 * is the profile of {@code seccomp-default.json} (an allow list, other syscalls EPERM, as
 * containerd's and Docker's default), {@code Localhost} a profile file on the node in the Docker
 * / OCI format, {@code Unconfined} (and nothing given) none. A profile's rules with
 * {@code includes}/{@code excludes} of capabilities or architectures are kept or dropped for the
 * container's capabilities, as Docker's and containerd's loaders do.
 */
final class SeccompProfiles {
    static final int MAX_PROFILE_BYTES = 1 << 20;
    static final int MAX_RULES = 4096;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ACTIONS = Set.of("SCMP_ACT_KILL", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_TRAP",
            "SCMP_ACT_ERRNO", "SCMP_ACT_TRACE", "SCMP_ACT_LOG", "SCMP_ACT_ALLOW");
    private static final Set<String> OPS = Set.of("SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
            "SCMP_CMP_MASKED_EQ");
    /** This host's architecture names as profiles' {@code includes.arches} give them (Go's GOARCH). */
    private static final Set<String> HOST_ARCHES = Set.of("amd64", "x86", "x32");
    private static final Set<String> TOP_LEVEL = Set.of("comment", "defaultAction", "defaultErrnoRet", "defaultErrno", "architectures",
            "archMap", "syscalls", "flags");

    private SeccompProfiles() {
    }

    /**
     * @param field          the request field, for messages ("seccomp" of container x)
     * @param profile        the {@code seccomp} field, when the request has it
     * @param deprecatedPath the deprecated {@code seccomp_profile_path} ("runtime/default", "docker/default",
     *                       "unconfined", "localhost/&lt;path&gt;")
     * @return the OCI {@code linux.seccomp} tree, or null for none
     */
    static Map<String, Object> forRequest(String field, SecurityProfile profile, String deprecatedPath, Collection<String> caps) {
        if (profile != null) {
            return switch (profile.getProfileType()) {
                case RuntimeDefault -> runtimeDefault(caps);
                case Unconfined -> null;
                case Localhost -> localhost(field, profile.getLocalhostRef(), caps);
                default -> throw JcdException.invalidArgument("%s: profile type %s is unknown: give RuntimeDefault, Unconfined or Localhost",
                        field, profile.getProfileTypeValue());
            };
        }
        if (deprecatedPath.isEmpty() || deprecatedPath.equals("unconfined")) {
            return null;
        }
        if (deprecatedPath.equals("runtime/default") || deprecatedPath.equals("docker/default")) {
            return runtimeDefault(caps);
        }
        if (deprecatedPath.startsWith("localhost/")) {
            return localhost(field, deprecatedPath.substring("localhost/".length()), caps);
        }
        throw JcdException.invalidArgument("%s: seccomp_profile_path \"%s\" is not runtime/default, docker/default, unconfined or localhost/<path>",
                field, deprecatedPath);
    }

    static Map<String, Object> runtimeDefault(Collection<String> caps) {
        try (InputStream in = SeccompProfiles.class.getResourceAsStream("seccomp-default.json")) {
            if (in == null) {
                throw new IllegalStateException("seccomp-default.json is missing from the supervisor's resources");
            }
            return resolve("the RuntimeDefault seccomp profile", in.readAllBytes(), caps);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read seccomp-default.json: " + e.getMessage(), e);
        }
    }

    static Map<String, Object> localhost(String field, String ref, Collection<String> caps) {
        if (ref.isEmpty() || !ref.startsWith("/")) {
            throw JcdException.invalidArgument("%s: a Localhost seccomp profile needs localhost_ref, the absolute path of a profile file on the node; got \"%s\"",
                    field, ref);
        }
        Path p = Path.of(ref);
        byte[] bytes;
        try (SeekableByteChannel ch = Files.newByteChannel(p, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            if (ch.size() > MAX_PROFILE_BYTES) {
                throw JcdException.invalidArgument("%s: seccomp profile %s is %d bytes, more than the %d allowed", field, p, ch.size(), MAX_PROFILE_BYTES);
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) ch.size() + 1);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // read to the end (or one byte past the size seen)
            }
            if (buf.position() > MAX_PROFILE_BYTES) {
                throw JcdException.invalidArgument("%s: seccomp profile %s grew past %d bytes while read", field, p, MAX_PROFILE_BYTES);
            }
            bytes = java.util.Arrays.copyOf(buf.array(), buf.position());
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s: cannot read seccomp profile %s (a regular file, not a symlink): %s", field, p, e.toString());
        }
        return resolve(field + ": seccomp profile " + p, bytes, caps);
    }

    /** Parses a Docker/OCI-format profile and keeps the rules that apply to these capabilities on this host. */
    static Map<String, Object> resolve(String what, byte[] json, Collection<String> caps) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw JcdException.invalidArgument("%s is not valid JSON: %s", what, e.getOriginalMessage());
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s cannot be read: %s", what, e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw JcdException.invalidArgument("%s must be a JSON object with defaultAction and syscalls", what);
        }
        for (var it = root.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!TOP_LEVEL.contains(k)) {
                throw JcdException.invalidArgument("%s: field \"%s\" is not supported (known: %s)", what, k, new java.util.TreeSet<>(TOP_LEVEL));
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("defaultAction", action(what, "defaultAction", root.path("defaultAction")));
        Integer defaultErrno = errno(what, "defaultErrnoRet", root.get("defaultErrnoRet"));
        if (defaultErrno != null) {
            out.put("defaultErrnoRet", defaultErrno);
        }
        out.put("architectures", List.of("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"));
        if (root.has("flags")) {
            out.put("flags", strings(what, "flags", root.get("flags")));
        }
        JsonNode syscalls = root.path("syscalls");
        if (!syscalls.isMissingNode() && !syscalls.isArray()) {
            throw JcdException.invalidArgument("%s: syscalls must be an array", what);
        }
        if (syscalls.size() > MAX_RULES) {
            throw JcdException.invalidArgument("%s has %d syscall rules, more than the %d allowed", what, syscalls.size(), MAX_RULES);
        }
        List<Map<String, Object>> rules = new ArrayList<>();
        int i = 0;
        for (JsonNode s : syscalls) {
            String at = "syscalls[" + i++ + "]";
            if (!s.isObject()) {
                throw JcdException.invalidArgument("%s: %s must be an object", what, at);
            }
            List<String> names = new ArrayList<>(s.has("names") ? strings(what, at + ".names", s.get("names")) : List.of());
            if (s.hasNonNull("name")) {
                names.add(text(what, at + ".name", s.get("name")));
            }
            if (names.isEmpty()) {
                throw JcdException.invalidArgument("%s: %s names no syscall (give names)", what, at);
            }
            String action = action(what, at + ".action", s.path("action"));
            Integer errno = errno(what, at + ".errnoRet", s.get("errnoRet"));
            List<Map<String, Object>> args = args(what, at, s.get("args"));
            if (!applies(what, at, s.get("includes"), s.get("excludes"), caps)) {
                continue;
            }
            Map<String, Object> rule = new LinkedHashMap<>();
            rule.put("names", names);
            rule.put("action", action);
            if (errno != null) {
                rule.put("errnoRet", errno);
            }
            if (!args.isEmpty()) {
                rule.put("args", args);
            }
            rules.add(rule);
        }
        out.put("syscalls", rules);
        return out;
    }

    private static boolean applies(String what, String at, JsonNode includes, JsonNode excludes, Collection<String> caps) {
        if (includes != null && !includes.isNull()) {
            for (String cap : strings(what, at + ".includes.caps", includes.path("caps"))) {
                if (!caps.contains(cap)) {
                    return false;
                }
            }
            List<String> arches = strings(what, at + ".includes.arches", includes.path("arches"));
            if (!arches.isEmpty() && arches.stream().noneMatch(HOST_ARCHES::contains)) {
                return false;
            }
        }
        if (excludes != null && !excludes.isNull()) {
            for (String cap : strings(what, at + ".excludes.caps", excludes.path("caps"))) {
                if (caps.contains(cap)) {
                    return false;
                }
            }
            if (strings(what, at + ".excludes.arches", excludes.path("arches")).stream().anyMatch(HOST_ARCHES::contains)) {
                return false;
            }
        }
        return true;
    }

    private static List<Map<String, Object>> args(String what, String at, JsonNode args) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (args == null || args.isNull()) {
            return out;
        }
        if (!args.isArray() || args.size() > 6) {
            throw JcdException.invalidArgument("%s: %s.args must be an array of at most 6 conditions", what, at);
        }
        for (JsonNode a : args) {
            int index = a.path("index").asInt(-1);
            if (!a.path("index").isIntegralNumber() || index < 0 || index > 5) {
                throw JcdException.invalidArgument("%s: %s.args index must be 0 to 5, got %s", what, at, a.path("index"));
            }
            String op = text(what, at + ".args.op", a.path("op"));
            if (!OPS.contains(op)) {
                throw JcdException.invalidArgument("%s: %s.args op \"%s\" is unknown: one of %s", what, at, op, new java.util.TreeSet<>(OPS));
            }
            Map<String, Object> arg = new LinkedHashMap<>();
            arg.put("index", index);
            arg.put("value", unsigned(what, at + ".args.value", a.get("value")));
            arg.put("valueTwo", unsigned(what, at + ".args.valueTwo", a.get("valueTwo")));
            arg.put("op", op);
            out.add(arg);
        }
        return out;
    }

    private static java.math.BigInteger unsigned(String what, String at, JsonNode v) {
        if (v == null || v.isNull()) {
            return java.math.BigInteger.ZERO;
        }
        if (!v.isIntegralNumber() || v.bigIntegerValue().signum() < 0 || v.bigIntegerValue().bitLength() > 64) {
            throw JcdException.invalidArgument("%s: %s must be an unsigned 64-bit integer, got %s", what, at, v);
        }
        return v.bigIntegerValue();
    }

    private static String action(String what, String at, JsonNode v) {
        String a = text(what, at, v);
        if (!ACTIONS.contains(a)) {
            throw JcdException.invalidArgument("%s: %s \"%s\" is not a seccomp action jcontainerd applies: one of %s", what, at, a,
                    new java.util.TreeSet<>(ACTIONS));
        }
        return a;
    }

    private static Integer errno(String what, String at, JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > 4095) {
            throw JcdException.invalidArgument("%s: %s must be an errno number 0-4095, got %s", what, at, v);
        }
        return v.asInt();
    }

    private static String text(String what, String at, JsonNode v) {
        if (v == null || !v.isTextual() || v.asText().isEmpty() || v.asText().length() > 64) {
            throw JcdException.invalidArgument("%s: %s must be a non-empty string of at most 64 characters, got %s", what, at,
                    v == null || v.isMissingNode() ? "nothing" : v.toString());
        }
        return v.asText();
    }

    private static List<String> strings(String what, String at, JsonNode v) {
        if (v == null || v.isNull() || v.isMissingNode()) {
            return List.of();
        }
        if (!v.isArray() || v.size() > 1024) {
            throw JcdException.invalidArgument("%s: %s must be an array of at most 1024 strings", what, at);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode s : v) {
            out.add(text(what, at, s));
        }
        return out;
    }
}
