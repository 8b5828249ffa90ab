package io.jcontainerd.network.cni;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.errdefs.UnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CniInvokerTest {
    @TempDir
    Path dir;
    final ObjectMapper json = new ObjectMapper();
    final CniContext ctx = new CniContext("ns-web", "/run/netns/x", "eth0", Map.of("K8S_POD_NAME", "web"));

    CniInvoker invoker(Duration timeout) {
        return new CniInvoker(List.of(dir.resolve("missing"), dir), timeout);
    }

    ObjectNode conf() {
        return json.createObjectNode().put("cniVersion", "1.0.0").put("name", "net").put("type", "fake");
    }

    @Test
    void passesTheSpecsEnvironmentAndStdinAndParsesTheResult() throws Exception {
        FakePlugins.write(dir, "fake", "echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\"}]}'");
        var result = invoker(Duration.ofSeconds(30)).invoke(CniCommand.ADD, "fake", ctx, conf(), "container web").orElseThrow();
        assertThat(result.path("ips").get(0).path("address").asText()).isEqualTo("10.0.0.2/24");
        assertThat(Files.readString(dir.resolve("calls")).strip())
                .isEqualTo("fake ADD ns-web eth0 /run/netns/x K8S_POD_NAME=web " + dir.resolve("missing") + ":" + dir);
        assertThat(json.readTree(dir.resolve("fake.ADD.in").toFile()).path("name").asText()).isEqualTo("net");
    }

    @Test
    void delPrintsNothingOnSuccess() throws Exception {
        FakePlugins.write(dir, "fake", "exit 0");
        assertThat(invoker(Duration.ofSeconds(30)).invoke(CniCommand.DEL, "fake", ctx, conf(), "c")).isEmpty();
    }

    @Test
    void thePluginsErrorJsonBecomesOurErrorWithItsCodeMessageAndDetails() throws Exception {
        FakePlugins.write(dir, "fake", "echo '{\"cniVersion\":\"1.0.0\",\"code\":7,\"msg\":\"bad bridge\",\"details\":\"name too long\"}'; exit 1");
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).invoke(CniCommand.ADD, "fake", ctx, conf(), "container web on network net"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("CNI plugin fake ADD for container web on network net failed: bad bridge: name too long (CNI error code 7)");
        FakePlugins.write(dir, "fake", "echo '{\"code\":3,\"msg\":\"no such container\"}'; exit 1");
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).invoke(CniCommand.CHECK, "fake", ctx, conf(), "c"))
                .isInstanceOf(NotFoundException.class);
        FakePlugins.write(dir, "fake", "echo '{\"code\":11,\"msg\":\"busy\"}'; exit 1");
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).invoke(CniCommand.ADD, "fake", ctx, conf(), "c"))
                .isInstanceOf(UnavailableException.class);
    }

    @Test
    void aFailureWithoutErrorJsonReportsStderrAndTheStatus() throws Exception {
        FakePlugins.write(dir, "fake", "echo 'panic: boom' >&2; exit 2");
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).invoke(CniCommand.ADD, "fake", ctx, conf(), "c"))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNKNOWN))
                .hasMessageContaining("exited with status 2").hasMessageContaining("panic: boom");
    }

    @Test
    void aPluginThatHangsIsKilledAfterTheTimeout() throws Exception {
        FakePlugins.write(dir, "fake", "exec sleep 30");
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> invoker(Duration.ofMillis(300)).invoke(CniCommand.ADD, "fake", ctx, conf(), "c"))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.kind()).isEqualTo(ErrorKind.DEADLINE_EXCEEDED))
                .hasMessageContaining("did not finish within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void outputBeyondTheBoundIsRefused() throws Exception {
        FakePlugins.write(dir, "fake", "head -c 2000000 /dev/zero | tr '\\0' 'a'");
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).invoke(CniCommand.ADD, "fake", ctx, conf(), "c"))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("more than 1048576 bytes");
    }

    @Test
    void aResultThatIsNotJsonIsRefused() throws Exception {
        FakePlugins.write(dir, "fake", "echo 'all good'");
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).invoke(CniCommand.ADD, "fake", ctx, conf(), "c"))
                .isInstanceOf(UnavailableException.class).hasMessageContaining("not JSON");
    }

    @Test
    void aMissingPluginOrAPathAsTypeIsRefused() {
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).find("bridge"))
                .isInstanceOf(FailedPreconditionException.class).hasMessageContaining("containernetworking-plugins");
        assertThatThrownBy(() -> invoker(Duration.ofSeconds(30)).find("../../bin/sh"))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
