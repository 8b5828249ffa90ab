package io.jcontainerd.config;

import io.jcontainerd.config.ConfigFile.Cri;
import io.jcontainerd.config.ConfigFile.Docker;
import io.jcontainerd.config.ConfigFile.Grpc;
import io.jcontainerd.config.ConfigFile.KeyPair;
import io.jcontainerd.config.ConfigFile.Metrics;
import io.jcontainerd.config.ConfigFile.Network;
import io.jcontainerd.config.ConfigFile.Pull;
import io.jcontainerd.config.ConfigFile.Registry;
import io.jcontainerd.config.ConfigFile.Runtime;
import io.jcontainerd.config.ConfigFile.Shim;
import io.jcontainerd.config.ConfigFile.Snapshotter;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads {@code jcontainerd.toml}. Unknown keys and wrong types are errors that name the key and
 * the file, so a typo never silently falls back to a default. Every key is optional:
 *
 * <pre>
 * version = 1
 * root = "/var/lib/jcontainerd"
 * state = "/run/jcontainerd"
 * [grpc]
 * address = "/run/jcontainerd/jcontainerd.sock"
 * max_recv_message_size = 16777216
 * max_send_message_size = 16777216
 * [docker]
 * enabled = true                  # serve the Docker Engine API
 * address = "/run/jcontainerd/docker.sock"
 * namespace = "docker"            # the containerd namespace of its containers and images
 * tcp = "127.0.0.1:2376"          # also serve it on TCP (default: not); beyond loopback only with tls_verify
 * tls_cert = "/etc/jcontainerd/docker/server-cert.pem"   # TLS on tcp, as dockerd --tls
 * tls_key = "/etc/jcontainerd/docker/server-key.pem"     # mode 0600 or stricter
 * tls_verify = true               # clients need a certificate signed by tls_ca (dockerd --tlsverify)
 * tls_ca = "/etc/jcontainerd/docker/ca.pem"
 * load_max_bytes = 8589934592     # docker load: largest archive spooled (413 beyond); default 8 GiB
 * load_min_free_bytes = 536870912 # docker load: refused (413) when the root's free space would drop below this; default 512 MiB
 * [registry]
 * config_path = "/etc/jcontainerd/certs.d"
 * [snapshotter]
 * default = "overlayfs"
 * [pull]
 * max_concurrent_downloads = 3
 * [metrics]
 * address = "127.0.0.1:1338"       # GET /v1/metrics, Prometheus text format; default: not served
 * [runtime]
 * binary = "/usr/sbin/runc"       # default: jcontainerd's own bin/jrunc
 * in_process = false               # default true: shims run jcontainerd's own jrunc in their JVM
 * [shim]
 * group = "namespace"             # tasks of a namespace share a shim; "container": one shim per container
 * spare = true                    # keep one idle shim started for the next create
 * spare_while_running = false     # default false: no spare while group shims run (one JVM per namespace in use)
 * [network]
 * bridge = "jcd0"                 # the default network's Linux bridge
 * subnet = "10.213.0.0/16"        # its subnet (never docker0's 172.17.0.0/16 nor cni0's 10.88.0.0/16)
 * pool = "10.214.0.0/16"          # user-defined networks get a /24 each from here
 * plugin_dirs = ["/usr/lib/cni", "/opt/cni/bin"]
 * ip_masq = true                  # masquerade traffic leaving for the outside
 * [cri]
 * sandbox_image = "registry.k8s.io/pause:3.6"   # the image of each pod's pause container
 * stream_server_address = "127.0.0.1"           # where Exec/Attach/PortForward URLs point (default loopback)
 * stream_server_port = "0"                      # its port; "0" (default): ephemeral
 * stream_idle_timeout = "4h0m0s"                # a stream connection idle this long is closed; "0": never
 * restrict_oom_score_adj = true                 # no container's oom_score_adj below the daemon's own (containerd: false)
 * device_ownership_from_security_context = false # true: a container's devices owned by its runAsUser/runAsGroup
 * enable_tls_streaming = false                  # true: the streaming server speaks TLS (https:// URLs)
 * [cri.x509_key_pair_streaming]                 # its PEM key pair; none given: a self-signed one made at start
 * tls_cert_file = "/etc/jcontainerd/stream.crt"
 * tls_key_file = "/etc/jcontainerd/stream.key"   # mode 600
 * </pre>
 */
public final class ConfigLoader {
    private ConfigLoader() {
    }

    /**
     * Initialises the TOML parser's classes by reading a one-key document: the daemon calls it on another
     * thread while its main thread parses the command line. Never throws.
     */
    public static void warmUp() {
        try {
            ConfigFile.read(TomlTable.parse("[grpc]\naddress = \"/\"\n", "warm-up"));
        } catch (RuntimeException ignored) {
            // only a warm-up: load() reports whatever is wrong
        }
    }

    /**
     * Loads {@code file}. A missing file is fine only when {@code required} is false (the default
     * location); a file named explicitly with --config must exist.
     */
    public static DaemonConfig load(Path file, boolean required) {
        String text;
        try {
            long size = Files.size(file);
            if (size > TomlTable.MAX_CHARS) {
                throw JcdException.invalidArgument("config file %s is %d bytes: a config file is at most %d", file, size, TomlTable.MAX_CHARS);
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            if (required) {
                throw JcdException.invalidArgument("config file %s does not exist: create it or drop --config", file);
            }
            return DaemonConfig.defaults();
        } catch (IOException e) {
            throw JcdException.invalidArgument("cannot read config file %s: %s", file, e.getMessage());
        }
        return parse(text, file.toString());
    }

    public static DaemonConfig parse(String toml, String source) {
        ConfigFile f = ConfigFile.read(TomlTable.parse(toml, source));
        if (f.version != null && f.version != 1) {
            throw JcdException.invalidArgument("%s: version = %d is not supported: use version = 1", source, f.version);
        }
        DaemonConfig d = DaemonConfig.defaults();
        Path root = Optional.ofNullable(f.root).map(Path::of).orElse(d.root());
        Path state = Optional.ofNullable(f.state).map(Path::of).orElse(d.state());
        Path grpcAddress = state.resolve("jcontainerd.sock");
        int recv = d.grpc().maxRecvMessageSize();
        int send = d.grpc().maxSendMessageSize();
        if (f.grpc != null) {
            grpcAddress = Optional.ofNullable(f.grpc.address).map(Path::of).orElse(grpcAddress);
            recv = positive(source, "grpc.max_recv_message_size", f.grpc.maxRecv, recv);
            send = positive(source, "grpc.max_send_message_size", f.grpc.maxSend, send);
        }
        DaemonConfig.DockerConfig docker = docker(source, state, f.docker);
        Path certs = d.registry().configPath();
        if (f.registry != null && f.registry.configPath != null) {
            certs = Path.of(f.registry.configPath);
        }
        String snapshotter = d.snapshotter();
        if (f.snapshotter != null && f.snapshotter.defaultName != null) {
            snapshotter = f.snapshotter.defaultName;
            if (!snapshotter.equals("overlayfs") && !snapshotter.equals("native")) {
                throw JcdException.invalidArgument("%s: snapshotter.default = \"%s\" is unknown: use \"overlayfs\" or \"native\"",
                        source, snapshotter);
            }
        }
        int downloads = d.pull().maxConcurrentDownloads();
        if (f.pull != null) {
            downloads = positive(source, "pull.max_concurrent_downloads", f.pull.maxConcurrentDownloads, downloads);
        }
        Path runtime = null;
        boolean inProcess = d.runtime().inProcess();
        if (f.runtime != null && f.runtime.inProcess != null) {
            inProcess = f.runtime.inProcess;
        }
        if (f.runtime != null && f.runtime.binary != null) {
            runtime = Path.of(f.runtime.binary);
            if (!runtime.isAbsolute()) {
                throw JcdException.invalidArgument("%s: runtime.binary = \"%s\" must be an absolute path", source, f.runtime.binary);
            }
        }
        return new DaemonConfig(root, state, new DaemonConfig.GrpcConfig(grpcAddress, recv, send),
                docker, new DaemonConfig.RegistryConfig(certs), snapshotter,
                new DaemonConfig.PullConfig(downloads), new DaemonConfig.RuntimeConfig(runtime, inProcess), shim(source, f.shim),
                network(source, f.network), metrics(source, f.metrics), cri(source, f.cri));
    }

    /** containerd's [metrics] address: "host:port" (an IPv6 host in brackets), the port 1..65535. */
    private static DaemonConfig.MetricsConfig metrics(String source, Metrics m) {
        if (m == null || m.address == null || m.address.isEmpty()) {
            return DaemonConfig.MetricsConfig.NONE;
        }
        int colon = m.address.lastIndexOf(':');
        String host = colon > 0 ? m.address.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port = -1;
        try {
            port = Integer.parseInt(m.address.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException ignored) {
            // reported below
        }
        if (host.isEmpty() || port < 1 || port > 65535 || !host.matches("[0-9A-Za-z.:_-]+")) {
            throw JcdException.invalidArgument("%s: metrics.address = \"%s\" is not host:port: use e.g. \"127.0.0.1:1338\"",
                    source, m.address);
        }
        return new DaemonConfig.MetricsConfig(host, port);
    }

    private static DaemonConfig.DockerConfig docker(String source, Path state, Docker docker) {
        Path address = state.resolve("docker.sock");
        if (docker == null) {
            return new DaemonConfig.DockerConfig(true, address, DaemonConfig.DockerConfig.DEFAULT_NAMESPACE);
        }
        if (docker.address != null) {
            address = Path.of(docker.address);
            if (!address.isAbsolute()) {
                throw JcdException.invalidArgument("%s: docker.address = \"%s\" must be an absolute path", source, docker.address);
            }
        }
        String namespace = DaemonConfig.DockerConfig.DEFAULT_NAMESPACE;
        if (docker.namespace != null) {
            namespace = io.jcontainerd.config.rules.Identifiers.validate("docker.namespace in " + source, docker.namespace);
        }
        DaemonConfig.DockerLoad load = new DaemonConfig.DockerLoad(
                positiveLong(source, "docker.load_max_bytes", docker.loadMaxBytes, DaemonConfig.DockerLoad.DEFAULT.maxBytes()),
                notNegative(source, "docker.load_min_free_bytes", docker.loadMinFreeBytes, DaemonConfig.DockerLoad.DEFAULT.minFreeBytes()));
        return new DaemonConfig.DockerConfig(docker.enabled == null || docker.enabled, address, namespace, dockerTcp(source, docker), load);
    }

    /** [docker] tcp and tls_*: the rules of dockerd's -H tcp:// with --tls/--tlsverify, stricter beyond loopback. */
    private static DaemonConfig.DockerTcp dockerTcp(String source, Docker d) {
        Path cert = absolute(source, "docker.tls_cert", d.tlsCert);
        Path key = absolute(source, "docker.tls_key", d.tlsKey);
        Path ca = absolute(source, "docker.tls_ca", d.tlsCa);
        boolean verify = Boolean.TRUE.equals(d.tlsVerify);
        if (d.tcp == null || d.tcp.isEmpty()) {
            if (cert != null || key != null || ca != null || d.tlsVerify != null) {
                throw JcdException.invalidArgument("%s: docker.tls_* is set but docker.tcp is not: TLS applies to the TCP listener only;"
                        + " set docker.tcp = \"127.0.0.1:2376\" or remove the tls_* keys", source);
            }
            return null;
        }
        int colon = d.tcp.lastIndexOf(':');
        String host = colon > 0 ? d.tcp.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        if (host.equals("localhost")) host = "127.0.0.1";
        int port = -1;
        try {
            port = Integer.parseInt(d.tcp.substring(colon + 1));
        } catch (NumberFormatException | IndexOutOfBoundsException ignored) {
            // reported below
        }
        if (host.isEmpty() || port < 1 || port > 65535 || !io.jcontainerd.config.rules.IpLiterals.isIpLiteral(host)) {
            throw JcdException.invalidArgument("%s: docker.tcp = \"%s\" is not ip:port (an IP address, not a name, and a port 1..65535):"
                    + " use e.g. \"127.0.0.1:2376\"", source, d.tcp);
        }
        if ((cert == null) != (key == null)) {
            throw JcdException.invalidArgument("%s: docker.%s is set without docker.%s: TLS needs the server's certificate and its key",
                    source, cert == null ? "tls_key" : "tls_cert", cert == null ? "tls_cert" : "tls_key");
        }
        if (verify && (cert == null || ca == null)) {
            throw JcdException.invalidArgument("%s: docker.tls_verify = true needs docker.tls_ca (the CA client certificates must chain to)"
                    + "%s", source, cert == null ? ", docker.tls_cert and docker.tls_key" : "");
        }
        if (!verify && ca != null) {
            throw JcdException.invalidArgument("%s: docker.tls_ca is set but docker.tls_verify is not true: client certificates would not be"
                    + " checked; set docker.tls_verify = true or remove docker.tls_ca", source);
        }
        if (!verify && !io.jcontainerd.config.rules.IpLiterals.isLoopback(host)) {
            throw JcdException.invalidArgument("%s: docker.tcp = \"%s\" listens beyond loopback %s: whoever reaches it controls this host;"
                    + " set docker.tls_verify = true with docker.tls_ca, docker.tls_cert and docker.tls_key (as dockerd --tlsverify),"
                    + " or listen on 127.0.0.1", source, d.tcp, cert == null ? "without TLS" : "without client certificates (tls_verify)");
        }
        return new DaemonConfig.DockerTcp(host, port, cert, key, verify, ca);
    }

    private static Path absolute(String source, String key, String value) {
        if (value == null) {
            return null;
        }
        Path p = Path.of(value);
        if (!p.isAbsolute()) {
            throw JcdException.invalidArgument("%s: %s = \"%s\" must be an absolute path", source, key, value);
        }
        return p;
    }

    private static DaemonConfig.ShimConfig shim(String source, Shim shim) {
        DaemonConfig.ShimConfig d = DaemonConfig.ShimConfig.DEFAULT;
        if (shim == null) {
            return d;
        }
        DaemonConfig.ShimGroup group = d.group();
        if (shim.group != null) {
            group = Arrays.stream(DaemonConfig.ShimGroup.values()).filter(g -> g.key().equals(shim.group)).findFirst()
                    .orElseThrow(() -> JcdException.invalidArgument("%s: shim.group = \"%s\" is unknown: use \"namespace\" or \"container\"",
                            source, shim.group));
        }
        return new DaemonConfig.ShimConfig(group, shim.spare != null ? shim.spare : d.spare(),
                shim.spareWhileRunning != null ? shim.spareWhileRunning : d.spareWhileRunning());
    }

    private static DaemonConfig.NetworkConfig network(String source, Network n) {
        DaemonConfig.NetworkConfig d = DaemonConfig.NetworkConfig.DEFAULT;
        if (n == null) {
            return d;
        }
        String bridge = n.bridge != null ? n.bridge : d.bridge();
        if (!bridge.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,14}")) {
            throw JcdException.invalidArgument("%s: network.bridge = \"%s\" is not a Linux interface name: use 1 to 15 letters, digits, '_', '.' or '-'",
                    source, bridge);
        }
        String subnet = n.subnet != null ? cidr(source, "network.subnet", n.subnet) : d.subnet();
        String pool = n.pool != null ? cidr(source, "network.pool", n.pool) : d.pool();
        java.util.List<Path> dirs = d.pluginDirs();
        if (n.pluginDirs != null) {
            if (n.pluginDirs.isEmpty()) {
                throw JcdException.invalidArgument("%s: network.plugin_dirs is empty: name the directories of the CNI plugins (Debian: /usr/lib/cni)", source);
            }
            dirs = n.pluginDirs.stream().map(Path::of).toList();
        }
        return new DaemonConfig.NetworkConfig(bridge, subnet, pool, dirs, n.ipMasq != null ? n.ipMasq : d.ipMasq());
    }

    private static DaemonConfig.CriConfig cri(String source, Cri c) {
        DaemonConfig.CriConfig d = DaemonConfig.CriConfig.DEFAULT;
        if (c == null) {
            return d;
        }
        String image = d.sandboxImage();
        if (c.sandboxImage != null) {
            if (c.sandboxImage.isBlank() || c.sandboxImage.length() > 4096 || c.sandboxImage.chars().anyMatch(Character::isWhitespace)) {
                throw JcdException.invalidArgument("%s: cri.sandbox_image = \"%s\" is not an image reference: use e.g. \"registry.k8s.io/pause:3.6\"",
                        source, c.sandboxImage);
            }
            image = c.sandboxImage;
        }
        String address = d.streamServerAddress();
        if (c.streamServerAddress != null) {
            if (!c.streamServerAddress.matches("[0-9A-Za-z.:\\-]{1,253}")) {
                throw JcdException.invalidArgument("%s: cri.stream_server_address = \"%s\" is not an IP address or host name: use e.g. \"127.0.0.1\"",
                        source, c.streamServerAddress);
            }
            address = c.streamServerAddress;
        }
        int port = d.streamServerPort();
        if (c.streamServerPort != null) {
            try {
                port = Integer.parseInt(c.streamServerPort.strip());
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 0 || port > 65535) {
                throw JcdException.invalidArgument("%s: cri.stream_server_port = \"%s\" is not a TCP port: give 0 to 65535 (0: ephemeral)",
                        source, c.streamServerPort);
            }
        }
        java.time.Duration idle = d.streamIdleTimeout();
        if (c.streamIdleTimeout != null) {
            try {
                idle = GoDurations.parse(c.streamIdleTimeout.strip());
            } catch (IllegalArgumentException e) {
                throw JcdException.invalidArgument("%s: cri.stream_idle_timeout: %s (\"0\": never)", source, e.getMessage());
            }
        }
        return new DaemonConfig.CriConfig(image, address, port, idle, streamTls(source, c),
                c.restrictOomScoreAdj != null ? c.restrictOomScoreAdj : d.restrictOomScoreAdj(),
                c.deviceOwnershipFromSecurityContext != null ? c.deviceOwnershipFromSecurityContext : d.deviceOwnershipFromSecurityContext());
    }

    private static DaemonConfig.StreamTls streamTls(String source, Cri c) {
        boolean enabled = c.enableTlsStreaming != null && c.enableTlsStreaming;
        KeyPair pair = c.x509KeyPairStreaming;
        String cert = pair == null || pair.tlsCertFile == null || pair.tlsCertFile.isEmpty() ? null : pair.tlsCertFile;
        String key = pair == null || pair.tlsKeyFile == null || pair.tlsKeyFile.isEmpty() ? null : pair.tlsKeyFile;
        if ((cert == null) != (key == null)) {
            throw JcdException.invalidArgument("%s: cri.x509_key_pair_streaming needs both tls_cert_file and tls_key_file (or neither: a"
                    + " self-signed certificate is made at start)", source);
        }
        for (String f : java.util.Arrays.asList(cert, key)) {
            if (f != null && !f.startsWith("/")) {
                throw JcdException.invalidArgument("%s: cri.x509_key_pair_streaming: \"%s\" is not an absolute path", source, f);
            }
        }
        if (!enabled) {
            return DaemonConfig.StreamTls.OFF;
        }
        return new DaemonConfig.StreamTls(true, cert == null ? null : Path.of(cert), key == null ? null : Path.of(key));
    }

    private static String cidr(String source, String key, String value) {
        if (!value.matches("(\\d{1,3}\\.){3}\\d{1,3}/\\d{1,2}")) {
            throw JcdException.invalidArgument("%s: %s = \"%s\" is not an IPv4 CIDR such as \"10.213.0.0/16\"", source, key, value);
        }
        return value;
    }

    private static int positive(String source, String key, Integer value, int fallback) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw JcdException.invalidArgument("%s: %s = %d must be greater than 0", source, key, value);
        }
        return value;
    }

    private static long positiveLong(String source, String key, Long value, long fallback) {
        if (value == null) {
            return fallback;
        }
        if (value <= 0) {
            throw JcdException.invalidArgument("%s: %s = %d must be greater than 0", source, key, value);
        }
        return value;
    }

    private static long notNegative(String source, String key, Long value, long fallback) {
        if (value == null) {
            return fallback;
        }
        if (value < 0) {
            throw JcdException.invalidArgument("%s: %s = %d must be 0 or more", source, key, value);
        }
        return value;
    }
}
