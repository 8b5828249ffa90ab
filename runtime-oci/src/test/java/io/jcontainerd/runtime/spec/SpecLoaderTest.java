package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecLoaderTest {
    @TempDir Path bundle;

    private void write(String json) throws IOException {
        Files.createDirectories(bundle.resolve("rootfs"));
        Files.writeString(bundle.resolve("config.json"), json);
    }

    private void writeDefault() throws IOException {
        Files.createDirectories(bundle.resolve("rootfs"));
        try (InputStream in = getClass().getResourceAsStream("/io/jcontainerd/runtime/default-config.json")) {
            Files.write(bundle.resolve("config.json"), in.readAllBytes());
        }
    }

    @Test
    void readsTheDefaultSpecThatJruncSpecWrites() throws IOException {
        writeDefault();
        Spec s = SpecLoader.load(bundle);
        assertThat(s.ociVersion()).isEqualTo("1.0.2-dev");
        assertThat(s.process().args()).containsExactly("sh");
        assertThat(s.process().capabilities().bounding()).contains("CAP_KILL");
        assertThat(s.process().rlimits()).singleElement().satisfies(r -> {
            assertThat(r.type()).isEqualTo("RLIMIT_NOFILE");
            assertThat(r.softValue()).isEqualTo(1024);
        });
        assertThat(s.mounts()).extracting(Mount::destination).startsWith("/proc", "/dev", "/dev/pts");
        assertThat(s.linux().namespaces()).extracting(Linux.Namespace::type).contains("pid", "network", "ipc", "uts", "mount");
        assertThat(s.linux().maskedPaths()).contains("/proc/kcore");
    }

    @Test
    void readsUnsignedMaximumRlimitsAsInfinity() throws IOException {
        write("""
                {"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/",
                 "rlimits":[{"type":"RLIMIT_CORE","hard":18446744073709551615,"soft":18446744073709551615}]}}""");
        assertThat(SpecLoader.load(bundle).process().rlimits().getFirst().hardValue()).isEqualTo(-1L);
    }

    @Test
    void refusesAMissingConfigNamingTheBundle() {
        assertThatThrownBy(() -> SpecLoader.load(bundle)).isInstanceOf(JruncException.class)
                .hasMessageContaining("config.json not found in bundle " + bundle);
    }

    @Test
    void refusesMalformedJsonNamingTheFile() throws IOException {
        write("{\"ociVersion\": ");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageContaining("malformed " + bundle.resolve("config.json"));
    }

    @Test
    void refusesARlimitTypeGivenTwiceANamespaceTypeGivenTwiceAndUidOrGidMappings() throws IOException {
        Files.createDirectories(bundle.resolve("rootfs"));
        write("""
                {"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/",
                 "rlimits":[{"type":"RLIMIT_NOFILE","hard":10,"soft":10},{"type":"RLIMIT_NOFILE","hard":20,"soft":20}]}}""");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessage("config.json: process.rlimits sets RLIMIT_NOFILE more than once; keep one entry per type");
        write("""
                {"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},
                 "linux":{"namespaces":[{"type":"mount"},{"type":"pid"},{"type":"pid","path":"/proc/1/ns/pid"}]}}""");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessage("config.json: linux.namespaces lists type pid more than once; keep one entry per type");
        write("""
                {"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},
                 "linux":{"namespaces":[{"type":"mount"}],"uidMappings":[{"containerID":0,"hostID":1000,"size":1}]}}""");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageStartingWith("config.json: linux.uidMappings/gidMappings are not supported by jrunc");
    }

    @Test
    void refusesFieldsJruncDoesNotImplementUnlessTheyAreEmpty() throws IOException {
        Files.createDirectories(bundle.resolve("rootfs"));
        String base = "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},\"linux\":";
        write(base + "{\"resources\":{\"hugepageLimits\":[{\"pageSize\":\"2MB\",\"limit\":1048576}]}}}");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessage("config.json: linux.resources.hugepageLimits is not supported by jrunc;"
                + " remove it (jrunc refuses it rather than run the container without it)");
        write(base + "{\"personality\":{\"domain\":\"LINUX32\"}}}");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageStartingWith("config.json: linux.personality is not supported by jrunc");
        write(base + "{\"resources\":{\"blockIO\":{\"weight\":100,\"throttleReadBpsDevice\":[{\"major\":8,\"minor\":0,\"rate\":1}]}}}}");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageStartingWith("config.json: linux.resources.blockIO.throttleReadBpsDevice is not supported");
        write(base + "{\"resources\":{\"hugepageLimits\":[],\"unified\":{},\"memory\":{\"limit\":1048576,\"disableOOMKiller\":false},\"blockIO\":{}}}}");
        assertThat(SpecLoader.load(bundle).linux().resources().memory().limit()).isEqualTo(1048576L);
    }

    @Test
    void refusesAnUnknownMajorVersion() throws IOException {
        write("{\"ociVersion\":\"2.0.0\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]}}");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageContaining("ociVersion 2.0.0 is not supported");
    }

    @Test
    void refusesAMissingRootfs() throws IOException {
        write("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"nope\"},\"process\":{\"args\":[\"sh\"]}}");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageContaining("root.path").hasMessageContaining("nope");
    }

    @Test
    void refusesAUserNamespaceBecauseAJvmCannotEnterOne() throws IOException {
        write("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]},"
                + "\"linux\":{\"namespaces\":[{\"type\":\"user\"}]}}");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageContaining("linux.namespaces type user is not supported");
    }

    @Test
    void refusesARelativeMountDestination() throws IOException {
        write("{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},\"process\":{\"args\":[\"sh\"]},"
                + "\"mounts\":[{\"destination\":\"proc\",\"type\":\"proc\"}]}");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessageContaining("mount destination proc is not an absolute path");
    }

    @Test
    void refusesARelativeHookPathOrATimeoutThatIsNotPositive() throws IOException {
        write("""
                {"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},
                 "hooks":{"createContainer":[{"path":"/bin/true"},{"path":"sh"}]}}""");
        assertThatThrownBy(() -> SpecLoader.load(bundle)).hasMessage("config.json: hooks.createContainer[1].path sh is not an absolute path");
        write("""
                {"ociVersion":"1.0.2","root":{"path":"rootfs"},"process":{"args":["sh"],"cwd":"/"},
                 "hooks":{"startContainer":[{"path":"/bin/true","timeout":0}]}}""");
        assertThatThrownBy(() -> SpecLoader.load(bundle))
                .hasMessage("config.json: hooks.startContainer[0].timeout 0 must be greater than zero (seconds)");
    }
}
