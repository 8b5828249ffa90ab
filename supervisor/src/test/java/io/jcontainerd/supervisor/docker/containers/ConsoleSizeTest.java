package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsoleSizeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static java.util.Optional<ConsoleSize> parse(String json) throws Exception {
        return ConsoleSize.parse("HostConfig.ConsoleSize", JSON.readTree(json));
    }

    @Test
    void theClientsHeightAndWidthBecomeTheProcessSpecsConsoleSize() throws Exception {
        ObjectNode process = JSON.createObjectNode();
        parse("[30, 100]").orElseThrow().applyTo(process);
        assertThat(process.toString()).isEqualTo("{\"consoleSize\":{\"height\":30,\"width\":100}}");
    }

    @Test
    void missingNullOrZeroIsNoSizeAsWithDockerd() throws Exception {
        assertThat(ConsoleSize.parse("ConsoleSize", null)).isEmpty();
        assertThat(parse("null")).isEmpty();
        assertThat(parse("[0, 0]")).isEmpty();
        assertThat(parse("[0, 80]")).contains(new ConsoleSize(0, 80));
    }

    @Test
    void anythingButTwoRowsAndColumnsIsA400NamingTheField() {
        for (String bad : new String[] {"[30]", "[30, 100, 1]", "[-1, 100]", "[30, 65536]", "[\"30\", 100]", "[30.5, 100]", "{\"h\": 30}",
                "[30, 99999999999999999999999]"}) {
            assertThatThrownBy(() -> parse(bad)).as(bad)
                    .hasMessageStartingWith("HostConfig.ConsoleSize must be [height, width], two integers from 0 to 65535, not ");
        }
    }

    @Test
    void aCreateWithABadConsoleSizeIsRefusedBeforeAnythingIsMade() {
        assertThatThrownBy(() -> CreateRequest.parse(JSON.readTree("{\"Image\":\"x\",\"HostConfig\":{\"ConsoleSize\":[70000,80]}}")))
                .hasMessageContaining("HostConfig.ConsoleSize must be [height, width]");
    }
}
