package io.jcontainerd.ctr.spec;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * The parts of the OCI runtime spec (config.json) jctr writes, field names as the spec spells them.
 * Empty and null members are left out, as Go's {@code omitempty} does, so the JSON reads like ctr's.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Spec(String ociVersion, Process process, Root root, String hostname, List<Mount> mounts,
                   Map<String, String> annotations, Linux linux) {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Process(Boolean terminal, User user, List<String> args, List<String> env, String cwd,
                          Capabilities capabilities, List<Rlimit> rlimits, Boolean noNewPrivileges) {
        public Process withArgs(List<String> a) {
            return new Process(terminal, user, a, env, cwd, capabilities, rlimits, noNewPrivileges);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record User(long uid, long gid, List<Long> additionalGids) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Capabilities(List<String> bounding, List<String> effective, List<String> permitted) {
    }

    public record Rlimit(String type, long hard, long soft) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Root(String path, Boolean readonly) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Mount(String destination, String type, String source, List<String> options) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Linux(List<Device> devices, Resources resources, String cgroupsPath, List<Namespace> namespaces,
                        List<String> maskedPaths, List<String> readonlyPaths) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Device(String path, String type, long major, long minor, Integer fileMode, Long uid, Long gid) {
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Resources(List<DeviceRule> devices, Memory memory, Cpu cpu) {
    }

    /** A cgroup device rule; null major/minor mean "any" ({@code *}). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceRule(boolean allow, String type, Long major, Long minor, String access) {
    }

    public record Memory(long limit) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Cpu(Long shares, Long quota, Long period) {
    }

    /** A namespace to create ({@code path} null) or to join (the path of a pinned one, e.g. run --cni's). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Namespace(String type, String path) {
        public Namespace(String type) {
            this(type, null);
        }
    }
}
