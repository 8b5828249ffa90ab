package io.jcontainerd.ctr.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What {@code jctr run} was asked to do, as picocli's model of {@code run} reads it or as
 * {@code ShortCommand} reads the plain form {@code run [--rm | -d] IMAGE ID [COMMAND [ARG...]]}: both paths
 * make this one value and hand it to {@link ContainerRun}. {@code envFile}, {@code fifoDir} null when not given.
 */
public record RunRequest(String image, String id, List<String> args, boolean detach, boolean rm, boolean tty,
                         List<String> env, Path envFile, String cwd, String user, List<String> mounts, boolean netHost,
                         boolean cni, Path cniConfig, List<String> labels, long memoryLimit, double cpus,
                         String snapshotter, String runtime, boolean privileged, boolean readOnly, Path fifoDir) {
    public static final String SNAPSHOTTER_ENV = "CONTAINERD_SNAPSHOTTER";
    public static final String DEFAULT_SNAPSHOTTER = "overlayfs";
    public static final String DEFAULT_CNI_CONFIG = "/etc/jcontainerd/jcontainerd.toml";

    public RunRequest {
        args = List.copyOf(args);
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
        labels = List.copyOf(labels);
    }

    /**
     * The plain form's request: every flag other than {@code --rm} and {@code -d} at the default picocli's model
     * gives it ({@code env}: the environment, for the snapshotter's {@code ${env:CONTAINERD_SNAPSHOTTER:-overlayfs}}).
     */
    public static RunRequest plain(String image, String id, List<String> args, boolean detach, boolean rm, Map<String, String> env) {
        return new RunRequest(image, id, args, detach, rm, false, List.of(), null, "", "", List.of(), false, false,
                Path.of(DEFAULT_CNI_CONFIG), List.of(), 0, 0, env.getOrDefault(SNAPSHOTTER_ENV, DEFAULT_SNAPSHOTTER),
                ContainerCreator.RUNC_V2, false, false, null);
    }
}
