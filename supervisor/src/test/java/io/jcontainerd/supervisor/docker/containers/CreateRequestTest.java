package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.api.types.Descriptor;
import io.jcontainerd.supervisor.docker.images.LocalImage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CreateRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static LocalImage image(String config) throws Exception {
        return new LocalImage("sha256:" + "1".repeat(64), List.of("docker.io/library/x:latest"), Descriptor.getDefaultInstance(),
                "", json("{\"config\":" + config + "}"), List.of(), List.of(), List.of());
    }

    @Test
    void testcontainersAllNullBodyIsAcceptedWithTheDefaultNetwork() throws Exception {
        CreateRequest r = CreateRequest.parse(json("""
                {"Image":"busybox:latest","Cmd":["sleep","1"],"Env":[],"Tty":null,"AttachStdin":null,"Volumes":{},"ExposedPorts":{},
                 "Labels":{"org.testcontainers":"true"},"Healthcheck":null,"NetworkingConfig":null,
                 "HostConfig":{"Binds":[],"ExtraHosts":[],"Links":[],"PortBindings":{},"VolumesFrom":[],"NetworkMode":null,
                 "RestartPolicy":null,"LogConfig":null,"AutoRemove":null}}"""));
        assertThat(r.networkMode()).isEqualTo("bridge");
        assertThat(r.hostConfig().path("NetworkMode").asText()).as("kept for inspect, as dockerd keeps it").isEqualTo("default");
        assertThat(r.endpointsConfig().isObject()).isTrue();
    }

    @Test
    void theClientsNetworkModeIsKeptAndDefaultRunsOnTheBridge() throws Exception {
        CreateRequest cli = CreateRequest.parse(json("{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"default\"}}"));
        assertThat(cli.networkMode()).isEqualTo("bridge");
        assertThat(cli.hostConfig().path("NetworkMode").asText()).isEqualTo("default");
        CreateRequest host = CreateRequest.parse(json("{\"Image\":\"busybox\",\"HostConfig\":{\"NetworkMode\":\"host\"}}"));
        assertThat(host.networkMode()).isEqualTo("host");
        assertThat(host.hostConfig().path("NetworkMode").asText()).isEqualTo("host");
        CreateRequest disabled = CreateRequest.parse(json("{\"Image\":\"busybox\",\"NetworkDisabled\":true}"));
        assertThat(disabled.networkMode()).isEqualTo("none");
        assertThat(CreateRequest.networkMode(json("{}"), json("{\"NetworkMode\":\"bridge\"}")))
                .as("a container recorded before the client's mode was kept").isEqualTo("bridge");
    }

    @Test
    void optionsThatWouldChangeTheContainerAreRefusedByName() {
        assertThatThrownBy(() -> CreateRequest.parse(json("{\"Image\":\"x\",\"HostConfig\":{\"Devices\":[{\"PathOnHost\":\"/dev/fuse\"}]}}")))
                .hasMessageContaining("HostConfig.Devices");
        assertThatThrownBy(() -> CreateRequest.parse(json("{\"Image\":\"x\",\"HostConfig\":{\"UsernsMode\":\"host\"}}")))
                .hasMessageContaining("HostConfig.UsernsMode");
        assertThatThrownBy(() -> CreateRequest.parse(json("{\"Image\":\"x\",\"HostConfig\":{\"Links\":[\"db:db\"]}}")))
                .hasMessageContaining("HostConfig.Links");
        assertThatThrownBy(() -> CreateRequest.parse(json("{\"Image\":\"x\",\"HostConfig\":{\"RestartPolicy\":{\"Name\":\"often\"}}}")))
                .hasMessageContaining("unknown policy 'often'");
        assertThatThrownBy(() -> CreateRequest.parse(json("{\"Cmd\":[\"x\"]}"))).hasMessageContaining("Config.Image is required");
    }

    @Test
    void theImageFillsWhatTheRequestLeavesOutAndAnEntrypointDropsTheImagesCmd() throws Exception {
        LocalImage img = image("{\"Env\":[\"PATH=/bin\",\"A=1\"],\"Entrypoint\":[\"/ep\"],\"Cmd\":[\"c\"],\"WorkingDir\":\"/w\",\"Labels\":{\"l\":\"i\"}}");
        var c = CreateRequest.parse(json("{\"Image\":\"x\",\"Env\":[\"A=2\",\"B=3\"],\"Labels\":{\"m\":\"r\"}}")).completedConfig(img, "h");
        assertThat(CreateRequest.command(c)).containsExactly("/ep", "c");
        assertThat(c.path("Env").toString()).isEqualTo("[\"PATH=/bin\",\"A=2\",\"B=3\"]");
        assertThat(c.path("WorkingDir").asText()).isEqualTo("/w");
        assertThat(c.path("Labels").toString()).isEqualTo("{\"l\":\"i\",\"m\":\"r\"}");
        assertThat(c.path("Hostname").asText()).isEqualTo("h");
        var own = CreateRequest.parse(json("{\"Image\":\"x\",\"Entrypoint\":[\"sh\"]}")).completedConfig(img, "h");
        assertThat(CreateRequest.command(own)).containsExactly("sh");
        var cmd = CreateRequest.parse(json("{\"Image\":\"x\",\"Cmd\":[\"echo\",\"hi\"]}")).completedConfig(img, "h");
        assertThat(CreateRequest.command(cmd)).containsExactly("/ep", "echo", "hi");
    }

    @Test
    void capabilitiesFollowCapAddCapDropAndPrivileged() throws Exception {
        assertThat(DockerSpec.capabilities(false, json("[\"NET_ADMIN\"]"), json("[\"chown\"]")))
                .contains("CAP_NET_ADMIN").doesNotContain("CAP_CHOWN");
        assertThat(DockerSpec.capabilities(true, json("[]"), json("[]"))).hasSize(41);
        assertThat(DockerSpec.capabilities(false, json("[]"), json("[\"ALL\"]"))).isEmpty();
        assertThatThrownBy(() -> DockerSpec.capabilities(false, json("[\"NOPE\"]"), json("[]"))).hasMessageContaining("unknown capability");
    }
}
