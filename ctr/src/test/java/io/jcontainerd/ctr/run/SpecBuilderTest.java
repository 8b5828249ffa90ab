package io.jcontainerd.ctr.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.ctr.spec.Spec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SpecBuilderTest {
    static final ImageConfig BUSYBOX = new ImageConfig("docker.io/library/busybox:latest", List.of("sha256:aa"),
            List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"), List.of(),
            List.of("sh"), "", "", "", Map.of());
    static final Spec.User ROOT = new Spec.User(0, 0, List.of(0L));
    final ObjectMapper json = new ObjectMapper();

    static RunOptions options(List<String> env, boolean netHost, boolean privileged, List<String> args) {
        return new RunOptions(env, "", "", List.of(), netHost, 0, 0, privileged, false, false, args, null);
    }

    JsonNode build(RunOptions o) {
        return json.valueToTree(SpecBuilder.build("default", "web", BUSYBOX, o, ROOT, List.of()));
    }

    @Test
    void defaultsMatchCtrsDefaultSpec() {
        JsonNode s = build(options(List.of(), false, false, List.of()));
        assertThat(s.path("ociVersion").asText()).isEqualTo("1.0.2-dev");
        assertThat(s.path("root").path("path").asText()).isEqualTo("rootfs");
        assertThat(s.path("root").has("readonly")).isFalse();
        assertThat(s.path("hostname").asText()).isEqualTo("web");
        assertThat(s.path("linux").path("cgroupsPath").asText()).isEqualTo("/default/web");
        assertThat(s.path("linux").path("namespaces").findValuesAsText("type"))
                .containsExactly("pid", "ipc", "uts", "mount", "network");
        assertThat(s.path("mounts").findValuesAsText("destination"))
                .containsExactly("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/run");
        assertThat(s.path("process").path("capabilities").path("bounding")).hasSize(14);
        assertThat(s.path("process").path("rlimits").get(0).path("soft").asLong()).isEqualTo(1024);
        assertThat(s.path("process").path("args").get(0).asText()).isEqualTo("sh");
        assertThat(s.path("process").path("cwd").asText()).isEqualTo("/");
        assertThat(s.path("process").path("user").path("uid").asLong()).isZero();
        assertThat(s.path("linux").path("maskedPaths").toString()).contains("/proc/kcore");
        assertThat(s.path("linux").path("resources").path("devices").toString()).isEqualTo("[{\"allow\":false,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":3,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":8,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":7,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":0,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":5,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":1,\"minor\":9,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":1,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":136,\"access\":\"rwm\"},"
                + "{\"allow\":true,\"type\":\"c\",\"major\":5,\"minor\":2,\"access\":\"rwm\"}]");
        assertThat(s.path("linux").path("resources").path("cpu").path("shares").asLong()).isEqualTo(1024);
        assertThat(s.path("linux").has("devices")).as("ctr run lists no device nodes").isFalse();
    }

    @Test
    void flagsOverrideTheImagesEnvInPlaceAndArgsReplaceEntrypointAndCmd() {
        JsonNode s = build(options(List.of("LANG=en", "FOO=bar"), false, false, List.of("echo", "hi")));
        assertThat(s.path("process").path("env").toString())
                .isEqualTo("[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"LANG=en\",\"FOO=bar\"]");
        assertThat(s.path("process").path("args").toString()).isEqualTo("[\"echo\",\"hi\"]");
    }

    @Test
    void netHostDropsTheNetworkNamespaceAndPrivilegedGrantsEverything() {
        JsonNode host = build(options(List.of(), true, false, List.of()));
        assertThat(host.path("linux").path("namespaces").findValuesAsText("type")).doesNotContain("network");
        assertThat(host.path("mounts").findValuesAsText("destination")).contains("/etc/resolv.conf", "/etc/hosts");

        JsonNode priv = build(options(List.of(), false, true, List.of()));
        List<String> bounding = new ArrayList<>();
        priv.path("process").path("capabilities").path("bounding").forEach(n -> bounding.add(n.asText()));
        assertThat(bounding).as("the capabilities jctr holds, as ctr's WithAllCurrentCapabilities").isEqualTo(SpecBuilder.currentCaps());
        assertThat(priv.path("linux").has("maskedPaths")).isFalse();
        assertThat(priv.path("linux").path("resources").path("devices").get(0).path("allow").asBoolean()).isTrue();

    }

    @Test
    void anImageWithoutACommandNeedsOneOnTheCommandLine() {
        ImageConfig none = new ImageConfig("x", List.of("sha256:aa"), List.of(), List.of(), List.of(), "", "", "", Map.of());
        assertThatThrownBy(() -> SpecBuilder.build("default", "c", none, options(List.of(), false, false, List.of()), ROOT, List.of()))
                .hasMessageContaining("names no command");
    }

    @Test
    void withCniTheContainerJoinsThePinnedNamespaceAndMountsItsEtcFiles() {
        var cni = new RunOptions.CniAttachment("/run/jcontainerd/netns/default-web", "/s/hosts", "/s/resolv.conf", "/s/hostname");
        JsonNode s = build(new RunOptions(List.of(), "", "", List.of(), false, 0, 0, false, false, false, List.of(), cni));
        JsonNode net = s.path("linux").path("namespaces").get(4);
        assertThat(net.path("type").asText()).isEqualTo("network");
        assertThat(net.path("path").asText()).isEqualTo("/run/jcontainerd/netns/default-web");
        assertThat(s.path("linux").path("namespaces").get(0).has("path")).as("other namespaces are new ones").isFalse();
        assertThat(s.path("mounts").findValuesAsText("destination")).contains("/etc/hosts", "/etc/resolv.conf", "/etc/hostname");
        assertThat(s.path("mounts").findValuesAsText("source")).contains("/s/hosts", "/s/resolv.conf", "/s/hostname");
    }
}
