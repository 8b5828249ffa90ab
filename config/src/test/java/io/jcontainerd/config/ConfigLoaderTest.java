package io.jcontainerd.config;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @Test
    void emptyFileGivesTheDefaults() {
        assertThat(ConfigLoader.parse("", "t.toml")).isEqualTo(DaemonConfig.defaults());
    }

    @Test
    void missingDefaultFileGivesTheDefaultsButAMissingExplicitFileIsAnError(@TempDir Path dir) {
        assertThat(ConfigLoader.load(dir.resolve("none.toml"), false)).isEqualTo(DaemonConfig.defaults());
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("none.toml"), true))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("none.toml does not exist");
    }

    @Test
    void readsEveryKeyAndDerivesSocketsFromState() {
        DaemonConfig c = ConfigLoader.parse("""
                version = 1
                root = "/srv/jcd"
                state = "/run/x"
                [grpc]
                max_recv_message_size = 1024
                [registry]
                config_path = "/etc/x/certs.d"
                [snapshotter]
                default = "native"
                [pull]
                max_concurrent_downloads = 8
                [runtime]
                binary = "/usr/sbin/runc"
                in_process = false
                """, "t.toml");
        assertThat(c.root()).isEqualTo(Path.of("/srv/jcd"));
        assertThat(c.metadataDir()).isEqualTo(Path.of("/srv/jcd/meta"));
        assertThat(c.grpc().address()).isEqualTo(Path.of("/run/x/jcontainerd.sock"));
        assertThat(c.docker().address()).isEqualTo(Path.of("/run/x/docker.sock"));
        assertThat(c.grpc().maxRecvMessageSize()).isEqualTo(1024);
        assertThat(c.grpc().maxSendMessageSize()).isEqualTo(16 << 20);
        assertThat(c.registry().configPath()).isEqualTo(Path.of("/etc/x/certs.d"));
        assertThat(c.snapshotter()).isEqualTo("native");
        assertThat(c.pull().maxConcurrentDownloads()).isEqualTo(8);
        assertThat(c.runtime()).isEqualTo(new DaemonConfig.RuntimeConfig(Path.of("/usr/sbin/runc"), false));
        assertThat(DaemonConfig.defaults().runtime().inProcess()).as("jrunc runs in the shims by default").isTrue();
    }

    @Test
    void criStreamServerBindsLoopbackOnAnEphemeralPortUnlessConfigured() {
        assertThat(ConfigLoader.parse("", "t").cri().streamServerAddress()).isEqualTo("127.0.0.1");
        assertThat(ConfigLoader.parse("", "t").cri().streamServerPort()).isZero();
        var c = ConfigLoader.parse("[cri]\nstream_server_address = \"::1\"\nstream_server_port = \"10010\"\n", "t").cri();
        assertThat(c.streamServerAddress()).isEqualTo("::1");
        assertThat(c.streamServerPort()).isEqualTo(10010);
        assertThat(c.sandboxImage()).isEqualTo("registry.k8s.io/pause:3.6");
        assertThat(ConfigLoader.parse("[cri]\nstream_server_port = 10011\n", "t").cri().streamServerPort()).isEqualTo(10011);
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\nstream_server_port = \"70000\"\n", "t"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cri.stream_server_port = \"70000\" is not a TCP port");
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\nstream_server_address = \"a b\"\n", "t"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cri.stream_server_address");
    }

    @Test
    void criStreamIdleTimeoutIsAGoDurationOfFourHoursByDefaultAndZeroMeansNever() {
        assertThat(ConfigLoader.parse("", "t").cri().streamIdleTimeout()).isEqualTo(java.time.Duration.ofHours(4));
        assertThat(ConfigLoader.parse("[cri]\nstream_idle_timeout = \"30m0s\"\n", "t").cri().streamIdleTimeout())
                .isEqualTo(java.time.Duration.ofMinutes(30));
        assertThat(ConfigLoader.parse("[cri]\nstream_idle_timeout = \"0\"\n", "t").cri().streamIdleTimeout()).isZero();
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\nstream_idle_timeout = \"4 hours\"\n", "t"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cri.stream_idle_timeout").hasMessageContaining("4 hours");
    }

    @Test
    void criRestrictOomScoreAdjIsOnUnlessSetOff() {
        assertThat(ConfigLoader.parse("", "t").cri().restrictOomScoreAdj()).isTrue();
        assertThat(ConfigLoader.parse("[cri]\nrestrict_oom_score_adj = false\n", "t").cri().restrictOomScoreAdj()).isFalse();
    }

    @Test
    void criDeviceOwnershipFromSecurityContextIsOffUnlessSetOnAndMustBeABoolean() {
        assertThat(ConfigLoader.parse("", "t").cri().deviceOwnershipFromSecurityContext()).isFalse();
        assertThat(ConfigLoader.parse("[cri]\ndevice_ownership_from_security_context = true\n", "t").cri()
                .deviceOwnershipFromSecurityContext()).isTrue();
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\ndevice_ownership_from_security_context = \"yes\"\n", "t"))
                .hasMessageContaining("device_ownership_from_security_context");
    }

    @Test
    void criTlsStreamingTakesContainerdsKeysAndBothFilesOrNeither() {
        assertThat(ConfigLoader.parse("", "t").cri().streamTls()).isEqualTo(DaemonConfig.StreamTls.OFF);
        var selfSigned = ConfigLoader.parse("[cri]\nenable_tls_streaming = true\n", "t").cri().streamTls();
        assertThat(selfSigned.enabled()).isTrue();
        assertThat(selfSigned.selfSigned()).isTrue();
        var files = ConfigLoader.parse("[cri]\nenable_tls_streaming = true\n[cri.x509_key_pair_streaming]\n"
                + "tls_cert_file = \"/etc/s.crt\"\ntls_key_file = \"/etc/s.key\"\n", "t").cri().streamTls();
        assertThat(files).isEqualTo(new DaemonConfig.StreamTls(true, Path.of("/etc/s.crt"), Path.of("/etc/s.key")));
        assertThat(ConfigLoader.parse("[cri.x509_key_pair_streaming]\ntls_cert_file = \"/etc/s.crt\"\ntls_key_file = \"/etc/s.key\"\n", "t")
                .cri().streamTls().enabled()).as("a key pair alone does not turn TLS on, as in containerd").isFalse();
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\nenable_tls_streaming = true\n[cri.x509_key_pair_streaming]\n"
                + "tls_cert_file = \"/etc/s.crt\"\n", "t"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("needs both tls_cert_file and tls_key_file");
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\nenable_tls_streaming = true\n[cri.x509_key_pair_streaming]\n"
                + "tls_cert_file = \"s.crt\"\ntls_key_file = \"s.key\"\n", "t"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("\"s.crt\" is not an absolute path");
    }

    @Test
    void criSandboxImageDefaultsToContainerd16sPauseAndRefusesWhitespace() {
        assertThat(ConfigLoader.parse("", "t").cri().sandboxImage()).isEqualTo("registry.k8s.io/pause:3.6");
        assertThat(ConfigLoader.parse("[cri]\nsandbox_image = \"127.0.0.1:5000/pause:1\"\n", "t").cri().sandboxImage())
                .isEqualTo("127.0.0.1:5000/pause:1");
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\nsandbox_image = \"a b\"\n", "t"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cri.sandbox_image = \"a b\" is not an image reference");
        assertThatThrownBy(() -> ConfigLoader.parse("[cri]\nsandbox = \"x\"\n", "t")).hasMessageContaining("sandbox");
    }

    @Test
    void metricsAddressIsHostAndPortAsContainerdsAndOffByDefault() {
        assertThat(ConfigLoader.parse("", "t").metrics().enabled()).isFalse();
        DaemonConfig c = ConfigLoader.parse("[metrics]\naddress = \"127.0.0.1:1338\"\ngrpc_histogram = false\n", "t");
        assertThat(c.metrics()).isEqualTo(new DaemonConfig.MetricsConfig("127.0.0.1", 1338));
        assertThat(ConfigLoader.parse("[metrics]\naddress = \"[::1]:9\"\n", "t").metrics()).isEqualTo(new DaemonConfig.MetricsConfig("::1", 9));
        for (String bad : new String[]{"1338", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:70000", ":1338", "a b:1"}) {
            assertThatThrownBy(() -> ConfigLoader.parse("[metrics]\naddress = \"" + bad + "\"\n", "t"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("metrics.address = \"" + bad + "\" is not host:port");
        }
    }

    @Test
    void dockerFacadeIsOnByDefaultInItsOwnNamespaceAndCanBeTurnedOff() {
        assertThat(DaemonConfig.defaults().docker()).isEqualTo(
                new DaemonConfig.DockerConfig(true, Path.of("/run/jcontainerd/docker.sock"), "docker"));
        DaemonConfig.DockerConfig d = ConfigLoader.parse("state = \"/run/y\"\n[docker]\nenabled = false\nnamespace = \"dk\"\n", "t.toml").docker();
        assertThat(d).isEqualTo(new DaemonConfig.DockerConfig(false, Path.of("/run/y/docker.sock"), "dk"));
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\nnamespace = \"no/slash\"\n", "t.toml"))
                .hasMessageContaining("docker.namespace");
    }

    @Test
    void dockerLoadIsCappedAt8GiBAndAReserveOf512MiBFreeUnlessConfigured() {
        assertThat(DaemonConfig.defaults().docker().load()).isEqualTo(new DaemonConfig.DockerLoad(8L << 30, 512L << 20));
        assertThat(ConfigLoader.parse("[docker]\nload_max_bytes = 1048576\nload_min_free_bytes = 0\n", "t.toml").docker().load())
                .isEqualTo(new DaemonConfig.DockerLoad(1 << 20, 0));
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\nload_max_bytes = 0\n", "t.toml"))
                .hasMessageContaining("docker.load_max_bytes = 0 must be greater than 0");
    }

    @Test
    void theDockerSocketFollowsTheStateDirectoryUnlessTheConfigurationNamesIt() {
        assertThat(DaemonConfig.defaults().withState(Path.of("/tmp/t1/state")).docker().address())
                .isEqualTo(Path.of("/tmp/t1/state/docker.sock"));
        assertThat(ConfigLoader.parse("state = \"/run/y\"\n", "t.toml").withState(Path.of("/tmp/t2")).docker().address())
                .isEqualTo(Path.of("/tmp/t2/docker.sock"));
        assertThat(ConfigLoader.parse("[docker]\naddress = \"/run/x/docker.sock\"\n", "t.toml").withState(Path.of("/tmp/t3"))
                .docker().address()).isEqualTo(Path.of("/run/x/docker.sock"));
    }

    @Test
    void dockerTcpIsOffByDefaultPlainOnlyOnLoopbackAndBeyondItOnlyWithClientCertificates() {
        assertThat(DaemonConfig.defaults().docker().tcp()).isNull();
        assertThat(ConfigLoader.parse("[docker]\ntcp = \"127.0.0.1:2375\"\n", "t").docker().tcp())
                .isEqualTo(new DaemonConfig.DockerTcp("127.0.0.1", 2375, null, null, false, null));
        assertThat(ConfigLoader.parse("[docker]\ntcp = \"localhost:2375\"\n", "t").docker().tcp().host()).isEqualTo("127.0.0.1");
        assertThat(ConfigLoader.parse("[docker]\ntcp = \"[::1]:2375\"\n", "t").docker().tcp().url()).isEqualTo("tcp://[::1]:2375");
        String tls = "tls_cert = \"/e/cert.pem\"\ntls_key = \"/e/key.pem\"\n";
        String verify = tls + "tls_verify = true\ntls_ca = \"/e/ca.pem\"\n";
        assertThat(ConfigLoader.parse("[docker]\ntcp = \"0.0.0.0:2376\"\n" + verify, "t").docker().tcp()).isEqualTo(
                new DaemonConfig.DockerTcp("0.0.0.0", 2376, Path.of("/e/cert.pem"), Path.of("/e/key.pem"), true, Path.of("/e/ca.pem")));
        assertThat(ConfigLoader.parse("[docker]\ntcp = \"127.0.0.1:2376\"\n" + tls, "t").docker().tcp().tls()).isTrue();

        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"0.0.0.0:2375\"\n", "t.toml"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("docker.tcp = \"0.0.0.0:2375\" listens beyond loopback without TLS").hasMessageContaining("docker.tls_verify = true");
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"10.1.2.3:2376\"\n" + tls, "t.toml"))
                .hasMessageContaining("listens beyond loopback without client certificates (tls_verify)");
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"example.com:2376\"\n" + verify, "t.toml"))
                .hasMessageContaining("docker.tcp = \"example.com:2376\" is not ip:port");
        for (String bad : new String[]{"2376", "127.0.0.1", "127.0.0.1:0", "127.0.0.1:65536", ":2376"}) {
            assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"" + bad + "\"\n", "t")).hasMessageContaining("is not ip:port");
        }
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"127.0.0.1:2376\"\ntls_cert = \"/e/c.pem\"\n", "t"))
                .hasMessageContaining("docker.tls_cert is set without docker.tls_key");
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"127.0.0.1:2376\"\n" + tls + "tls_verify = true\n", "t"))
                .hasMessageContaining("docker.tls_verify = true needs docker.tls_ca");
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"127.0.0.1:2376\"\n" + tls + "tls_ca = \"/e/ca.pem\"\n", "t"))
                .hasMessageContaining("docker.tls_ca is set but docker.tls_verify is not true");
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\n" + tls, "t")).hasMessageContaining("docker.tls_* is set but docker.tcp is not");
        assertThatThrownBy(() -> ConfigLoader.parse("[docker]\ntcp = \"127.0.0.1:2376\"\ntls_cert = \"cert.pem\"\ntls_key = \"/k\"\n", "t"))
                .hasMessageContaining("docker.tls_cert = \"cert.pem\" must be an absolute path");
    }

    @Test
    void shimGroupingAndTheSpareAreConfigurableAndCheckedByName() {
        assertThat(DaemonConfig.defaults().shim()).isEqualTo(new DaemonConfig.ShimConfig(DaemonConfig.ShimGroup.NAMESPACE, true, false));
        assertThat(ConfigLoader.parse("[shim]\ngroup = \"container\"\nspare = false\n", "t.toml").shim())
                .isEqualTo(new DaemonConfig.ShimConfig(DaemonConfig.ShimGroup.CONTAINER, false, false));
        assertThat(ConfigLoader.parse("[shim]\nspare_while_running = true\n", "t.toml").shim())
                .as("a spare kept beside running groups, as before").isEqualTo(new DaemonConfig.ShimConfig(DaemonConfig.ShimGroup.NAMESPACE, true, true));
        assertThat(ConfigLoader.parse("[shim]\nspare = false\n", "t.toml").shim().group()).isEqualTo(DaemonConfig.ShimGroup.NAMESPACE);
        assertThatThrownBy(() -> ConfigLoader.parse("[shim]\ngroup = \"pod\"\n", "t.toml"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("t.toml: shim.group = \"pod\" is unknown: use \"namespace\" or \"container\"");
        assertThatThrownBy(() -> ConfigLoader.parse("[shim]\nspares = 2\n", "t.toml"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("unknown key shim.spares");
    }

    @Test
    void unknownKeyIsNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse("[grpc]\nadress = \"/x\"\n", "t.toml"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("t.toml").hasMessageContaining("adress");
    }

    @Test
    void wrongValuesAreNamed() {
        assertThatThrownBy(() -> ConfigLoader.parse("version = 2\n", "t.toml")).hasMessageContaining("version = 2");
        assertThatThrownBy(() -> ConfigLoader.parse("[pull]\nmax_concurrent_downloads = 0\n", "t.toml"))
                .hasMessageContaining("pull.max_concurrent_downloads");
        assertThatThrownBy(() -> ConfigLoader.parse("[snapshotter]\ndefault = \"zfs\"\n", "t.toml"))
                .hasMessageContaining("zfs");
        assertThatThrownBy(() -> ConfigLoader.parse("root = [", "t.toml")).hasMessageContaining("t.toml");
    }

    @Test
    void networkSectionIsReadAndItsDefaultsAreJcd0AndSubnetsClearOfDocker0AndCni0() {
        DaemonConfig d = ConfigLoader.parse("", "t.toml");
        assertThat(d.network().bridge()).isEqualTo("jcd0");
        assertThat(d.network().subnet()).isEqualTo("10.213.0.0/16");
        DaemonConfig c = ConfigLoader.parse("""
                [network]
                bridge = "br-test"
                subnet = "10.99.0.0/24"
                pool = "10.98.0.0/16"
                plugin_dirs = ["/opt/cni/bin"]
                ip_masq = false
                """, "t.toml");
        assertThat(c.network()).isEqualTo(new DaemonConfig.NetworkConfig("br-test", "10.99.0.0/24", "10.98.0.0/16",
                java.util.List.of(java.nio.file.Path.of("/opt/cni/bin")), false));
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nbridge = \"a-bridge-name-too-long\"\n", "t.toml"))
                .hasMessageContaining("network.bridge");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nsubnet = \"10.0.0.0\"\n", "t.toml"))
                .hasMessageContaining("network.subnet").hasMessageContaining("CIDR");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nplugin_dirs = []\n", "t.toml"))
                .hasMessageContaining("plugin_dirs");
    }

    @Test
    void aValueOfTheWrongTypeIsNamedWithItsTableAndWhatItShouldBe() {
        assertThatThrownBy(() -> ConfigLoader.parse("[pull]\nmax_concurrent_downloads = \"many\"\n", "t.toml"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("t.toml: pull.max_concurrent_downloads must be an integer, not \"many\"");
        assertThatThrownBy(() -> ConfigLoader.parse("[shim]\nspare = \"yes\"\n", "t.toml"))
                .hasMessage("t.toml: shim.spare must be true or false, not \"yes\"");
        assertThatThrownBy(() -> ConfigLoader.parse("grpc = 1\n", "t.toml"))
                .hasMessage("t.toml: grpc must be a table ([grpc]), not 1");
        assertThatThrownBy(() -> ConfigLoader.parse("[network]\nplugin_dirs = \"/opt/cni/bin\"\n", "t.toml"))
                .hasMessage("t.toml: network.plugin_dirs must be an array of strings, not \"/opt/cni/bin\"");
        assertThatThrownBy(() -> ConfigLoader.parse("[grpc]\nmax_recv_message_size = 4294967296\n", "t.toml"))
                .hasMessageContaining("grpc.max_recv_message_size = 4294967296 is out of range");
    }

    @Test
    void numbersAndBooleansWrittenAsStringsAreTakenAsBefore() {
        DaemonConfig c = ConfigLoader.parse("[pull]\nmax_concurrent_downloads = \"4\"\n[shim]\nspare = \"false\"\n", "t.toml");
        assertThat(c.pull().maxConcurrentDownloads()).isEqualTo(4);
        assertThat(c.shim().spare()).isFalse();
    }

    @Test
    void anUnknownKeyInANestedTableNamesItsPathAndTheKnownKeys() {
        assertThatThrownBy(() -> ConfigLoader.parse("[cri.x509_key_pair_streaming]\ntls_cert = \"/c\"\n", "t.toml"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("t.toml: unknown key cri.x509_key_pair_streaming.tls_cert: remove it or check its spelling"
                        + " (known: [tls_cert_file, tls_key_file])");
        assertThatThrownBy(() -> ConfigLoader.parse("[plugins]\nx = 1\n", "t.toml")).hasMessageContaining("unknown key plugins");
    }

    @Test
    void aFileTooLargeOrNestedTooDeepIsRefusedSayingWhy(@TempDir Path dir) throws IOException {
        Path big = dir.resolve("big.toml");
        Files.writeString(big, "# " + "x".repeat(2 << 20) + "\n");
        assertThatThrownBy(() -> ConfigLoader.load(big, true)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("big.toml is").hasMessageContaining("bytes: a config file is at most");
        assertThatThrownBy(() -> ConfigLoader.parse("a = " + "[".repeat(20) + "]".repeat(20) + "\n", "t.toml"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("nests tables or arrays more than");
    }
}
