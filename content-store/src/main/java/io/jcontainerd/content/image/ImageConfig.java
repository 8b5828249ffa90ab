package io.jcontainerd.content.image;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The image configuration blob (OCI image config / Docker container image v1), the parts we use. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ImageConfig(
        @JsonProperty("created") String created,
        @JsonProperty("author") String author,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("os") String os,
        @JsonProperty("variant") String variant,
        @JsonProperty("config") RunConfig config,
        @JsonProperty("rootfs") RootFs rootfs,
        @JsonProperty("history") List<History> history) {

    public ImageConfig {
        config = config == null ? RunConfig.EMPTY : config;
        rootfs = rootfs == null ? new RootFs("layers", List.of()) : rootfs;
        history = history == null ? List.of() : List.copyOf(history);
    }

    /** The platform this config says the image is for. */
    @JsonIgnore
    public Platform platform() {
        return new Platform(os, architecture, variant).normalize();
    }

    /** How a container of this image runs by default (the capitalised keys are the spec's). */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record RunConfig(
            @JsonProperty("User") String user,
            @JsonProperty("ExposedPorts") Map<String, Object> exposedPorts,
            @JsonProperty("Env") List<String> env,
            @JsonProperty("Entrypoint") List<String> entrypoint,
            @JsonProperty("Cmd") List<String> cmd,
            @JsonProperty("Volumes") Map<String, Object> volumes,
            @JsonProperty("WorkingDir") String workingDir,
            @JsonProperty("Labels") Map<String, String> labels,
            @JsonProperty("StopSignal") String stopSignal) {

        static final RunConfig EMPTY = new RunConfig(null, null, null, null, null, null, null, null, null);

        public RunConfig {
            user = user == null ? "" : user;
            exposedPorts = exposedPorts == null ? Map.of() : Map.copyOf(exposedPorts);
            env = env == null ? List.of() : List.copyOf(env);
            entrypoint = entrypoint == null ? List.of() : List.copyOf(entrypoint);
            cmd = cmd == null ? List.of() : List.copyOf(cmd);
            volumes = volumes == null ? Map.of() : Map.copyOf(volumes);
            workingDir = workingDir == null ? "" : workingDir;
            labels = labels == null ? Map.of() : Map.copyOf(labels);
            stopSignal = stopSignal == null ? "" : stopSignal;
        }

        /** "80/tcp", "53/udp", sorted. */
        @JsonIgnore
        public Set<String> exposedPortSet() {
            return new TreeSet<>(exposedPorts.keySet());
        }

        @JsonIgnore
        public Set<String> volumeSet() {
            return new TreeSet<>(volumes.keySet());
        }
    }

    /** The uncompressed layer digests, in order (the chain the snapshotter builds). */
    public record RootFs(@JsonProperty("type") String type, @JsonProperty("diff_ids") List<Digest> diffIds) {
        public RootFs {
            type = type == null ? "" : type;
            diffIds = diffIds == null ? List.of() : List.copyOf(diffIds);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record History(
            @JsonProperty("created") String created,
            @JsonProperty("created_by") String createdBy,
            @JsonProperty("author") String author,
            @JsonProperty("comment") String comment,
            @JsonProperty("empty_layer") boolean emptyLayer) {
    }
}
