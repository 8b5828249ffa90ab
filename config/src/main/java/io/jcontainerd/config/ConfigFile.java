package io.jcontainerd.config;

/**
 * The shape of {@code jcontainerd.toml} as read, before {@link ConfigLoader} checks and converts it:
 * each table read by name, its keys checked ({@link TomlTable} names an unknown key or a wrong type).
 */
final class ConfigFile {
    Integer version;
    String root;
    String state;
    Grpc grpc;
    Docker docker;
    Registry registry;
    Snapshotter snapshotter;
    Pull pull;
    Runtime runtime;
    Shim shim;
    Network network;
    Metrics metrics;
    Cri cri;

    static ConfigFile read(TomlTable t) {
        t.allow("version", "root", "state", "grpc", "docker", "registry", "snapshotter", "pull", "runtime", "shim", "network",
                "metrics", "cri");
        ConfigFile f = new ConfigFile();
        f.version = t.integer("version");
        f.root = t.string("root");
        f.state = t.string("state");
        f.grpc = Grpc.read(t.table("grpc"));
        f.docker = Docker.read(t.table("docker"));
        f.registry = Registry.read(t.table("registry"));
        f.snapshotter = Snapshotter.read(t.table("snapshotter"));
        f.pull = Pull.read(t.table("pull"));
        f.runtime = Runtime.read(t.table("runtime"));
        f.shim = Shim.read(t.table("shim"));
        f.network = Network.read(t.table("network"));
        f.metrics = Metrics.read(t.table("metrics"));
        f.cri = Cri.read(t.table("cri"));
        return f;
    }

    static final class Cri {
        String sandboxImage;
        String streamServerAddress;
        String streamServerPort;   // a string in containerd's config ("10010"); an integer is taken too
        String streamIdleTimeout;  // a Go duration, as containerd's ("4h0m0s")
        Boolean enableTlsStreaming;
        Boolean restrictOomScoreAdj;
        Boolean deviceOwnershipFromSecurityContext;
        KeyPair x509KeyPairStreaming;

        static Cri read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("sandbox_image", "stream_server_address", "stream_server_port", "stream_idle_timeout", "enable_tls_streaming",
                    "restrict_oom_score_adj", "device_ownership_from_security_context", "x509_key_pair_streaming");
            Cri c = new Cri();
            c.sandboxImage = t.string("sandbox_image");
            c.streamServerAddress = t.string("stream_server_address");
            c.streamServerPort = t.string("stream_server_port");
            c.streamIdleTimeout = t.string("stream_idle_timeout");
            c.enableTlsStreaming = t.bool("enable_tls_streaming");
            c.restrictOomScoreAdj = t.bool("restrict_oom_score_adj");
            c.deviceOwnershipFromSecurityContext = t.bool("device_ownership_from_security_context");
            c.x509KeyPairStreaming = KeyPair.read(t.table("x509_key_pair_streaming"));
            return c;
        }
    }

    static final class KeyPair {
        String tlsCertFile;
        String tlsKeyFile;

        static KeyPair read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("tls_cert_file", "tls_key_file");
            KeyPair k = new KeyPair();
            k.tlsCertFile = t.string("tls_cert_file");
            k.tlsKeyFile = t.string("tls_key_file");
            return k;
        }
    }

    static final class Metrics {
        String address;
        Boolean grpcHistogram;   // containerd's; accepted, the gRPC timers are always recorded

        static Metrics read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("address", "grpc_histogram");
            Metrics m = new Metrics();
            m.address = t.string("address");
            m.grpcHistogram = t.bool("grpc_histogram");
            return m;
        }
    }

    static final class Network {
        String bridge;
        String subnet;
        String pool;
        java.util.List<String> pluginDirs;
        Boolean ipMasq;

        static Network read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("bridge", "subnet", "pool", "plugin_dirs", "ip_masq");
            Network n = new Network();
            n.bridge = t.string("bridge");
            n.subnet = t.string("subnet");
            n.pool = t.string("pool");
            n.pluginDirs = t.strings("plugin_dirs");
            n.ipMasq = t.bool("ip_masq");
            return n;
        }
    }

    static final class Shim {
        String group;
        Boolean spare;
        Boolean spareWhileRunning;

        static Shim read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("group", "spare", "spare_while_running");
            Shim s = new Shim();
            s.group = t.string("group");
            s.spare = t.bool("spare");
            s.spareWhileRunning = t.bool("spare_while_running");
            return s;
        }
    }

    static final class Runtime {
        String binary;
        Boolean inProcess;

        static Runtime read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("binary", "in_process");
            Runtime r = new Runtime();
            r.binary = t.string("binary");
            r.inProcess = t.bool("in_process");
            return r;
        }
    }

    static final class Grpc {
        String address;
        Integer maxRecv;
        Integer maxSend;

        static Grpc read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("address", "max_recv_message_size", "max_send_message_size");
            Grpc g = new Grpc();
            g.address = t.string("address");
            g.maxRecv = t.integer("max_recv_message_size");
            g.maxSend = t.integer("max_send_message_size");
            return g;
        }
    }

    static final class Docker {
        Boolean enabled;
        String address;
        String namespace;
        String tcp;
        String tlsCert;
        String tlsKey;
        Boolean tlsVerify;
        String tlsCa;
        Long loadMaxBytes;
        Long loadMinFreeBytes;

        static Docker read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("enabled", "address", "namespace", "tcp", "tls_cert", "tls_key", "tls_verify", "tls_ca", "load_max_bytes",
                    "load_min_free_bytes");
            Docker d = new Docker();
            d.enabled = t.bool("enabled");
            d.address = t.string("address");
            d.namespace = t.string("namespace");
            d.tcp = t.string("tcp");
            d.tlsCert = t.string("tls_cert");
            d.tlsKey = t.string("tls_key");
            d.tlsVerify = t.bool("tls_verify");
            d.tlsCa = t.string("tls_ca");
            d.loadMaxBytes = t.longValue("load_max_bytes");
            d.loadMinFreeBytes = t.longValue("load_min_free_bytes");
            return d;
        }
    }

    static final class Registry {
        String configPath;

        static Registry read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("config_path");
            Registry r = new Registry();
            r.configPath = t.string("config_path");
            return r;
        }
    }

    static final class Snapshotter {
        String defaultName;

        static Snapshotter read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("default");
            Snapshotter s = new Snapshotter();
            s.defaultName = t.string("default");
            return s;
        }
    }

    static final class Pull {
        Integer maxConcurrentDownloads;

        static Pull read(TomlTable t) {
            if (t == null) {
                return null;
            }
            t.allow("max_concurrent_downloads");
            Pull p = new Pull();
            p.maxConcurrentDownloads = t.integer("max_concurrent_downloads");
            return p;
        }
    }
}
