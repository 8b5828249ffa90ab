package io.jcontainerd.config;

import java.nio.file.Path;

/** The default locations of everything jcontainerd keeps on disk (DESIGN.md, "On disk"). */
public final class DefaultPaths {
    public static final Path ROOT = Path.of("/var/lib/jcontainerd");
    public static final Path STATE = Path.of("/run/jcontainerd");
    public static final Path GRPC_SOCKET = STATE.resolve("jcontainerd.sock");
    public static final Path DOCKER_SOCKET = STATE.resolve("docker.sock");
    public static final Path CERTS_DIR = Path.of("/etc/jcontainerd/certs.d");
    /** The namespace used when a client sends no {@code containerd-namespace} header. */
    public static final String DEFAULT_NAMESPACE = "default";

    private DefaultPaths() {
    }
}
