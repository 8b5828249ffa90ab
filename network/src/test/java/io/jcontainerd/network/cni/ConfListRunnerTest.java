package io.jcontainerd.network.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfListRunnerTest {
    @TempDir
    Path dir;
    final ObjectMapper json = new ObjectMapper();
    final CniContext ctx = new CniContext("ns-web", "/run/netns/x", "eth0");

    ConfList list() {
        ObjectNode first = json.createObjectNode().put("type", "first").put("mtu", 1400);
        ObjectNode second = json.createObjectNode().put("type", "second");
        second.putObject("capabilities").put("portMappings", true);
        return new ConfList("1.0.0", "jcd-bridge", List.of(first, second));
    }

    ObjectNode runtimeConfig() {
        ObjectNode rc = json.createObjectNode();
        rc.putArray("portMappings").addObject().put("hostPort", 8080).put("containerPort", 80);
        rc.put("bandwidth", "ignored");
        return rc;
    }

    @Test
    void addRunsThePluginsInOrderEachGivenThePreviousResult() throws Exception {
        FakePlugins.write(dir, "first", "echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\"}]}'");
        FakePlugins.write(dir, "second", "echo '{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\"}],\"by\":\"second\"}'");
        JsonNode result = new ConfListRunner(new CniInvoker(List.of(dir), Duration.ofSeconds(30))).add(list(), ctx, runtimeConfig());
        assertThat(result.path("by").asText()).isEqualTo("second");
        assertThat(Files.readAllLines(dir.resolve("calls"))).extracting(l -> l.split(" ")[0] + " " + l.split(" ")[1])
                .containsExactly("first ADD", "second ADD");
        JsonNode firstIn = json.readTree(dir.resolve("first.ADD.in").toFile());
        assertThat(firstIn.path("name").asText()).isEqualTo("jcd-bridge");
        assertThat(firstIn.path("cniVersion").asText()).isEqualTo("1.0.0");
        assertThat(firstIn.path("mtu").asInt()).isEqualTo(1400);
        assertThat(firstIn.has("prevResult")).isFalse();
        assertThat(firstIn.has("runtimeConfig")).as("no capabilities, no runtimeConfig").isFalse();
        JsonNode secondIn = json.readTree(dir.resolve("second.ADD.in").toFile());
        assertThat(secondIn.path("prevResult").path("ips").get(0).path("address").asText()).isEqualTo("10.0.0.2/24");
        assertThat(secondIn.path("runtimeConfig").path("portMappings").get(0).path("hostPort").asInt()).isEqualTo(8080);
        assertThat(secondIn.path("runtimeConfig").has("bandwidth")).as("only the capabilities it declares").isFalse();
    }

    @Test
    void delRunsInReverseWithTheAddResultAndGoesOnPastAFailure() throws Exception {
        FakePlugins.write(dir, "first", "exit 0");
        FakePlugins.write(dir, "second", "echo '{\"code\":5,\"msg\":\"iptables locked\"}'; exit 1");
        JsonNode prev = json.readTree("{\"cniVersion\":\"1.0.0\",\"ips\":[{\"address\":\"10.0.0.2/24\"}]}");
        ConfListRunner runner = new ConfListRunner(new CniInvoker(List.of(dir), Duration.ofSeconds(30)));
        assertThatThrownBy(() -> runner.del(list(), ctx, runtimeConfig(), prev))
                .isInstanceOf(JcdException.class).hasMessageContaining("second DEL").hasMessageContaining("iptables locked");
        assertThat(Files.readAllLines(dir.resolve("calls"))).extracting(l -> l.split(" ")[0] + " " + l.split(" ")[1])
                .containsExactly("second DEL", "first DEL");
        assertThat(json.readTree(dir.resolve("first.DEL.in").toFile()).path("prevResult")).isEqualTo(prev);
    }

    @Test
    void aConflistRoundTripsThroughItsJsonAndBadOnesAreRefused() {
        ConfList back = ConfList.parse(list().toJson());
        assertThat(back).isEqualTo(list());
        assertThatThrownBy(() -> ConfList.parse("{\"name\":\"x\",\"plugins\":[]}")).hasMessageContaining("no plugins");
        assertThatThrownBy(() -> ConfList.parse("{\"name\":\"x\",\"plugins\":[{\"mtu\":1}]}")).hasMessageContaining("without a \"type\"");
        assertThatThrownBy(() -> ConfList.parse("[")).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> ConfList.parse(" ".repeat(300_000))).hasMessageContaining("at most");
    }
}
