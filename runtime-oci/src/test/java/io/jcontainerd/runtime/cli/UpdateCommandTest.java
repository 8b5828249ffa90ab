package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.spec.Json;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpdateCommandTest {
    private static Map<String, Object> flags(String... argv) {
        Map<String, Boolean> all = new java.util.HashMap<>();
        for (String f : List.of("memory", "memory-swap", "memory-reservation", "cpu-share", "cpu-quota", "cpu-period",
                "cpuset-cpus", "pids-limit", "blkio-weight", "l3-cache-schema")) all.put(f, true);
        return UpdateCommand.fromFlags(Args.parse("update", List.of(argv), all, Map.of(), false));
    }

    @Test
    void buildsTheLinuxResourcesRuncBuildsFromItsFlags() {
        assertThat(Json.compact(flags("--memory", "64m", "--memory-swap", "-1", "--memory-reservation", "1.5k", "--cpu-share", "512",
                "--cpu-quota", "-1", "--cpuset-cpus", "0", "--pids-limit", "20", "--blkio-weight", "300", "c1")))
                .isEqualTo("{\"memory\":{\"limit\":67108864,\"reservation\":1536,\"swap\":-1},"
                        + "\"cpu\":{\"shares\":512,\"quota\":-1,\"cpus\":\"0\"},\"pids\":{\"limit\":20},\"blockIO\":{\"weight\":300}}");
        assertThat(flags("--memory", "2GiB", "c1")).extracting(m -> ((Map<?, ?>) m.get("memory")).get("limit")).isEqualTo(2L << 30);
        assertThat(flags("c1")).isEmpty();
    }

    @Test
    void refusesBadValuesNamingTheFlag() {
        assertThatThrownBy(() -> flags("--memory", "12q", "c1"))
                .hasMessage("update: invalid value for --memory: 12q is not a size (bytes, or a number with k, m, g, t or p)");
        assertThatThrownBy(() -> flags("--cpu-share", "-2", "c1")).hasMessage("update: invalid value for --cpu-share: -2 is not a non-negative integer");
        assertThatThrownBy(() -> flags("--pids-limit", "many", "c1")).hasMessage("update: invalid value for --pids-limit: many is not an integer");
        assertThatThrownBy(() -> flags("--l3-cache-schema", "L3:0=f", "c1")).hasMessage("update: --l3-cache-schema: Intel RDT is not enabled on this host");
    }
}
