package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetworkModeTest {
    @Test
    void parsesDockersSpellings() {
        assertThat(NetworkMode.parse("")).isEqualTo(NetworkMode.BRIDGE);
        assertThat(NetworkMode.parse("default")).isEqualTo(NetworkMode.BRIDGE);
        assertThat(NetworkMode.parse("bridge")).isEqualTo(new NetworkMode.Network("bridge"));
        assertThat(NetworkMode.parse("none")).isInstanceOf(NetworkMode.None.class);
        assertThat(NetworkMode.parse("host")).isInstanceOf(NetworkMode.Host.class);
        assertThat(NetworkMode.parse("container:abc")).isEqualTo(new NetworkMode.Container("abc"));
        assertThat(NetworkMode.parse("backend")).isEqualTo(new NetworkMode.Network("backend"));
        assertThatThrownBy(() -> NetworkMode.parse("container:")).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void printsBackAsDockerSpellsIt() {
        for (String s : new String[] {"none", "host", "bridge", "backend", "container:abc"}) {
            assertThat(NetworkMode.parse(s)).hasToString(s);
        }
    }

    @Test
    void portMappingsAreChecked() {
        assertThat(PortMapping.tcp("0.0.0.0", 8080, 80).hostIp()).isEmpty();
        assertThatThrownBy(() -> PortMapping.tcp("", 70000, 80)).hasMessageContaining("70000");
        assertThatThrownBy(() -> PortMapping.tcp("", 1, 0)).hasMessageContaining("container port 0");
        assertThatThrownBy(() -> new PortMapping("", 1, 1, "icmp")).hasMessageContaining("icmp");
        assertThatThrownBy(() -> PortMapping.tcp("localhost", 1, 1)).hasMessageContaining("localhost");
    }
}
