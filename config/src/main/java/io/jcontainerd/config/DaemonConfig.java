package io.jcontainerd.config;

import java.nio.file.Path;

/**
 * The daemon's whole configuration, validated. Built from {@code jcontainerd.toml} by
 * {@link ConfigLoader}, then overridden by command-line flags with the {@code with*} methods.
 *
 * @param root      persistent data: metadata, content, snapshots
 * @param state     runtime state: sockets, task bundles (a tmpfs in production)
 * @param grpc      the containerd-compatible gRPC endpoint
 * @param docker    the Docker Engine API facade endpoint
 * @param registry  where per-host registry settings live
 * @param snapshotter default snapshotter name
 * @param pull      pull tuning
 * @param runtime   the OCI runtime shims drive by default
 * @param shim      how tasks are spread over shim processes
 * @param network   the default bridge network and the pool of user-defined networks
 * @param metrics   where Prometheus scrapes /v1/metrics (containerd's [metrics] address), if anywhere
 * @param cri       the Kubernetes CRI v1 services (containerd's cri plugin)
 */
public record DaemonConfig(Path root, Path state, GrpcConfig grpc, DockerConfig docker,
                           RegistryConfig registry, String snapshotter, PullConfig pull, RuntimeConfig runtime,
                           ShimConfig shim, NetworkConfig network, MetricsConfig metrics, CriConfig cri) {

    public static final Path DEFAULT_CONFIG_FILE = Path.of("/etc/jcontainerd/jcontainerd.toml");

    public static DaemonConfig defaults() {
        return new DaemonConfig(DefaultPaths.ROOT, DefaultPaths.STATE,
                new GrpcConfig(DefaultPaths.GRPC_SOCKET, GrpcConfig.DEFAULT_MAX_MESSAGE_SIZE, GrpcConfig.DEFAULT_MAX_MESSAGE_SIZE),
                new DockerConfig(true, DefaultPaths.DOCKER_SOCKET, DockerConfig.DEFAULT_NAMESPACE),
                new RegistryConfig(DefaultPaths.CERTS_DIR),
                "overlayfs", new PullConfig(3), new RuntimeConfig(null, true), ShimConfig.DEFAULT, NetworkConfig.DEFAULT,
                MetricsConfig.NONE, CriConfig.DEFAULT);
    }

    public DaemonConfig withRoot(Path root) {
        return new DaemonConfig(root, state, grpc, docker, registry, snapshotter, pull, runtime, shim, network, metrics, cri);
    }

    /**
     * The state directory {@code --state} names; the Docker socket moves with it unless the
     * configuration put it elsewhere (two daemons with their own state dirs must not both claim
     * /run/jcontainerd/docker.sock).
     */
    public DaemonConfig withState(Path state) {
        DockerConfig d = docker.address().equals(this.state.resolve("docker.sock"))
                ? new DockerConfig(docker.enabled(), state.resolve("docker.sock"), docker.namespace(), docker.tcp()) : docker;
        return new DaemonConfig(root, state, grpc, d, registry, snapshotter, pull, runtime, shim, network, metrics, cri);
    }

    public DaemonConfig withGrpcAddress(Path address) {
        return new DaemonConfig(root, state, grpc.withAddress(address), docker, registry, snapshotter, pull, runtime, shim, network, metrics, cri);
    }

    /** Directory of the RocksDB metadata database. */
    public Path metadataDir() {
        return root.resolve("meta");
    }

    /** Directory of the content store's blobs and ingests. */
    public Path contentDir() {
        return root.resolve("content");
    }

    /** Directory of snapshotter {@code driver}'s snapshots. */
    public Path snapshotsDir(String driver) {
        return root.resolve("snapshots").resolve(driver);
    }

    /** Directory of the task bundles of namespace {@code ns}. */
    public Path tasksDir(String ns) {
        return state.resolve("tasks").resolve(ns);
    }

    public record GrpcConfig(Path address, int maxRecvMessageSize, int maxSendMessageSize) {
        /** containerd's server and clients both use 16 MiB. */
        public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;

        GrpcConfig withAddress(Path address) {
            return new GrpcConfig(address, maxRecvMessageSize, maxSendMessageSize);
        }
    }

    /**
     * @param enabled   serve the Docker Engine API at all
     * @param address   its unix socket
     * @param namespace the containerd namespace its containers and images live in (not dockerd's
     *                  {@code moby}, so a dockerd running on top of jcontainerd never sees them)
     * @param tcp       a TCP listener besides the socket; null: none (the default)
     * @param load      what docker load may spool on the daemon's disk
     */
    public record DockerConfig(boolean enabled, Path address, String namespace, DockerTcp tcp, DockerLoad load) {
        public static final String DEFAULT_NAMESPACE = "docker";

        public DockerConfig(boolean enabled, Path address, String namespace, DockerTcp tcp) {
            this(enabled, address, namespace, tcp, DockerLoad.DEFAULT);
        }

        public DockerConfig(boolean enabled, Path address, String namespace) {
            this(enabled, address, namespace, null);
        }
    }

    /**
     * Bounds of docker load's spool under {@code <root>/docker/tmp}: an archive (and so each of its
     * entries) is refused with a 413 once it passes {@code maxBytes}, or once writing it would leave
     * less than {@code minFreeBytes} free on the root's filesystem.
     */
    public record DockerLoad(long maxBytes, long minFreeBytes) {
        public static final DockerLoad DEFAULT = new DockerLoad(8L << 30, 512L << 20);
    }

    /**
     * The Docker API on TCP, as dockerd's {@code -H tcp://} with {@code --tls}/{@code --tlsverify}.
     * Checked at load: a host beyond loopback only with {@code tlsVerify}; the files' contents and
     * modes are checked when the listener starts.
     *
     * @param host      an IP literal (loopback unless tlsVerify)
     * @param port      1..65535
     * @param tlsCert   the server's certificate chain (PEM); null: plain TCP
     * @param tlsKey    its private key (PEM, readable by its owner only); null iff tlsCert is
     * @param tlsVerify require a client certificate signed by {@code tlsCa}
     * @param tlsCa     the CA (PEM) client certificates must chain to; non-null iff tlsVerify
     */
    public record DockerTcp(String host, int port, Path tlsCert, Path tlsKey, boolean tlsVerify, Path tlsCa) {
        public boolean tls() {
            return tlsCert != null;
        }

        /** As a client names it: tcp://host:port (an IPv6 host in brackets). */
        public String url() {
            return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    public record RegistryConfig(Path configPath) {
    }

    public record PullConfig(int maxConcurrentDownloads) {
    }

    /**
     * @param binary    the runc-compatible runtime binary; null means jcontainerd's own bin/jrunc
     * @param inProcess shims run jcontainerd's own jrunc inside their JVM (no process per runtime
     *                  operation); false: they run the jrunc command, as for any other runtime
     */
    public record RuntimeConfig(Path binary, boolean inProcess) {
    }

    /**
     * @param group which tasks share a shim process (a container's {@code io.containerd.runc.v2.group}
     *              label, when set, names its group whatever this says)
     * @param spare whether one idle shim is kept started, so that a task's create need not wait for one to boot
     * @param spareWhileRunning whether the spare is also kept while group shims run tasks; false (the default):
     *                          a spare only while no group runs, so a namespace in use costs one JVM, not two,
     *                          and a second group started meanwhile boots its own shim
     */
    /**
     * containerd's {@code [metrics]}: {@code address = "127.0.0.1:1338"} serves GET /v1/metrics in the
     * Prometheus text format over plain HTTP; a null host: not served.
     */
    public record MetricsConfig(String host, int port) {
        public static final MetricsConfig NONE = new MetricsConfig(null, 0);

        public boolean enabled() {
            return host != null;
        }
    }

    /**
     * containerd's {@code [plugins."io.containerd.grpc.v1.cri"]}, the parts jcontainerd reads.
     *
     * @param sandboxImage the image of every pod's pause container (containerd 1.6's default)
     * @param streamServerAddress the address the streaming server (Exec, Attach, PortForward URLs) binds; loopback by default
     * @param streamServerPort    its TCP port; 0 (the default): an ephemeral port chosen at start
     * @param streamIdleTimeout   a streaming connection with no traffic either way for this long is closed
     *                            (containerd's {@code stream_idle_timeout}, default 4h); zero: never
     * @param streamTls           whether the streaming server speaks TLS, and with which key pair
     * @param restrictOomScoreAdj containerd's {@code restrict_oom_score_adj}: no container's oom_score_adj below the
     *                            daemon's own (true by default here, false in containerd: see README, CRI)
     * @param deviceOwnershipFromSecurityContext containerd's {@code device_ownership_from_security_context} (false by
     *                            default, as containerd's): a container config's devices are owned in the container by
     *                            its runAsUser and runAsGroup (0 where not given) instead of the host node's owner
     */
    public record CriConfig(String sandboxImage, String streamServerAddress, int streamServerPort, java.time.Duration streamIdleTimeout,
                            StreamTls streamTls, boolean restrictOomScoreAdj, boolean deviceOwnershipFromSecurityContext) {
        public static final CriConfig DEFAULT = new CriConfig("registry.k8s.io/pause:3.6", "127.0.0.1", 0, java.time.Duration.ofHours(4),
                StreamTls.OFF, true, false);
    }

    /**
     * containerd's {@code enable_tls_streaming} and {@code [x509_key_pair_streaming]}: the CRI streaming
     * server over TLS, with the PEM certificate and key files given (both or neither), else with a
     * self-signed certificate made at start.
     */
    public record StreamTls(boolean enabled, Path certFile, Path keyFile) {
        public static final StreamTls OFF = new StreamTls(false, null, null);

        public boolean selfSigned() {
            return enabled && certFile == null;
        }
    }

    public record ShimConfig(ShimGroup group, boolean spare, boolean spareWhileRunning) {
        public static final ShimConfig DEFAULT = new ShimConfig(ShimGroup.NAMESPACE, true, false);
    }

    /**
     * Container networking (the network module): the default bridge network and where the subnets of
     * user-defined networks come from.
     *
     * @param bridge     the Linux bridge of the default network ("bridge" in Docker's terms)
     * @param subnet     its IPv4 subnet (CIDR); must not overlap docker0's 172.17.0.0/16, cni0's
     *                   10.88.0.0/16 or any route of the host
     * @param pool       the IPv4 range user-defined networks take their /24 subnets from
     * @param pluginDirs where the CNI plugin binaries are looked up, in order
     * @param ipMasq     masquerade traffic leaving a network for the outside (Docker does)
     */
    public record NetworkConfig(String bridge, String subnet, String pool, java.util.List<Path> pluginDirs, boolean ipMasq) {
        public static final NetworkConfig DEFAULT = new NetworkConfig("jcd0", "10.213.0.0/16", "10.214.0.0/16",
                java.util.List.of(Path.of("/usr/lib/cni"), Path.of("/opt/cni/bin")), true);

        public NetworkConfig {
            pluginDirs = java.util.List.copyOf(pluginDirs);
        }
    }

    /** Which tasks share a shim. */
    public enum ShimGroup {
        /** The tasks of one namespace share one shim (the default: one JVM's memory for many containers). */
        NAMESPACE("namespace"),
        /** Every container has its own shim (isolation: a shim's death takes only its own container). */
        CONTAINER("container");

        private final String key;

        ShimGroup(String key) {
            this.key = key;
        }

        /** The value in jcontainerd.toml. */
        public String key() {
            return key;
        }
    }
}
