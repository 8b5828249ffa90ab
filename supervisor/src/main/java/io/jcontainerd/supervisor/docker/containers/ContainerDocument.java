package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * Everything Docker knows of a container that containerd does not: kept as JSON in the
 * container's {@code docker} extension in the daemon's metadata, so it survives restarts.
 *
 * @param name            without the leading slash
 * @param image           the image as the client named it
 * @param imageId         the image's ID (config digest)
 * @param config          the create request's Config, with the image's defaults filled in
 * @param hostConfig      the create request's HostConfig
 * @param stdioDir        the FIFO directory of the current run (empty when none runs)
 * @param logPath         the json-file log
 * @param runDir          the container's own files (hostname, hosts, resolv.conf)
 * @param health          the health check's state (null without a health check)
 * @param manuallyStopped stopped or killed by a client since its last start: no restart policy brings it back
 *                        (unless-stopped not even at daemon start)
 * @param mountPoints     the volumes and {@code --mount}s of the container (null or empty: only Binds)
 * @param networks        the networks it is connected to, its first network first (empty for none, host and
 *                        container:ID; null in documents written before it was kept: recovered from the mode)
 */
public record ContainerDocument(String id, String name, String created, String image, String imageId, String path,
                                List<String> args, ObjectNode config, ObjectNode hostConfig, ContainerState state,
                                int restartCount, String snapshotter, String stdioDir, String logPath, String runDir,
                                Health health, boolean manuallyStopped, List<MountPoint> mountPoints,
                                List<NetworkAttachment> networks) {

    public ContainerDocument {
        mountPoints = mountPoints == null ? List.of() : List.copyOf(mountPoints);
        networks = networks == null ? null : List.copyOf(networks);
    }

    public ContainerDocument withState(ContainerState s) {
        return new ContainerDocument(id, name, created, image, imageId, path, args, config, hostConfig, s, restartCount,
                snapshotter, stdioDir, logPath, runDir, health, manuallyStopped, mountPoints, networks);
    }

    public ContainerDocument withName(String n) {
        return new ContainerDocument(id, n, created, image, imageId, path, args, config, hostConfig, state, restartCount,
                snapshotter, stdioDir, logPath, runDir, health, manuallyStopped, mountPoints, networks);
    }

    public ContainerDocument withStdioDir(String dir) {
        return new ContainerDocument(id, name, created, image, imageId, path, args, config, hostConfig, state, restartCount,
                snapshotter, dir, logPath, runDir, health, manuallyStopped, mountPoints, networks);
    }

    public ContainerDocument withHealth(Health h) {
        return new ContainerDocument(id, name, created, image, imageId, path, args, config, hostConfig, state, restartCount,
                snapshotter, stdioDir, logPath, runDir, h, manuallyStopped, mountPoints, networks);
    }

    public ContainerDocument withRestarts(int count, boolean stoppedByClient) {
        return new ContainerDocument(id, name, created, image, imageId, path, args, config, hostConfig, state, count,
                snapshotter, stdioDir, logPath, runDir, health, stoppedByClient, mountPoints, networks);
    }

    public ContainerDocument withNetworks(List<NetworkAttachment> n) {
        return new ContainerDocument(id, name, created, image, imageId, path, args, config, hostConfig, state, restartCount,
                snapshotter, stdioDir, logPath, runDir, health, manuallyStopped, mountPoints, n);
    }

    /** The networks, never null. */
    public List<NetworkAttachment> attachedNetworks() {
        return networks == null ? List.of() : networks;
    }

    public boolean tty() {
        return config.path("Tty").asBoolean(false);
    }

    public boolean openStdin() {
        return config.path("OpenStdin").asBoolean(false);
    }

    public boolean autoRemove() {
        return hostConfig.path("AutoRemove").asBoolean(false);
    }

    public RestartPolicy restartPolicy() {
        return RestartPolicy.of(hostConfig.path("RestartPolicy"));
    }
}
