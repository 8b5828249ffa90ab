package io.jcontainerd.network.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HostRoutesTest {
    @Test
    void readsTheKernelsRouteTableLeavingOutTheDefaultRoute(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("route"), """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
                eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
                docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
                """);
        List<HostRoutes.Route> routes = HostRoutes.read(file);
        assertThat(routes).extracting(r -> r.device() + " " + r.destination())
                .containsExactly("eth0 192.0.2.0/24", "docker0 172.17.0.0/16");
    }
}
