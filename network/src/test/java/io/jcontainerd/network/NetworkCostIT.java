package io.jcontainerd.network;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What networking costs per container: set-up + teardown, median of 15 after 3 warm-ups, for each
 * mode (the README's table comes from this test's output). Needs root.
 */
class NetworkCostIT {
    private static final String NS = "netcost";
    private TestHost host;

    @BeforeEach
    void setUp() throws Exception {
        host = new TestHost();
    }

    @AfterEach
    void tearDown() throws Exception {
        host.close();
    }

    @Test
    void setUpAndTeardownCostPerContainerIsMeasuredForEachMode() {
        NetworkManager m = host.manager();
        Network user = m.createNetwork("cost-" + host.token, "", java.util.Map.of());
        List<String> table = new ArrayList<>();
        table.add(row("none (netns + loopback)", m, i -> SandboxRequest.of(NS, host.id("n" + i), NetworkMode.NONE)));
        table.add(row("bridge", m, i -> SandboxRequest.of(NS, host.id("b" + i), NetworkMode.BRIDGE)));
        table.add(row("bridge + 1 published port", m, i -> SandboxRequest.of(NS, host.id("p" + i), NetworkMode.BRIDGE)
                .withPorts(List.of(PortMapping.tcp("127.0.0.1", 0, 80)))));
        table.add(row("user network (names in /etc/hosts)", m, i -> SandboxRequest.of(NS, host.id("u" + i),
                new NetworkMode.Network(user.name())).withName("u" + i)));
        table.forEach(System.out::println);
        assertThat(m.sandboxes()).isEmpty();
    }

    interface Req {
        SandboxRequest of(int i);
    }

    private static String row(String what, NetworkManager m, Req req) {
        List<Long> setUp = new ArrayList<>();
        List<Long> down = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            SandboxRequest r = req.of(i);
            long t0 = System.nanoTime();
            m.setUp(r);
            long t1 = System.nanoTime();
            assertThat(m.tearDown(r.namespace(), r.containerId())).isTrue();
            long t2 = System.nanoTime();
            if (i >= 3) {
                setUp.add((t1 - t0) / 1_000_000);
                down.add((t2 - t1) / 1_000_000);
            }
        }
        return String.format("network cost | %-36s | set-up %4d ms | teardown %4d ms | total %4d ms (median of %d)", what,
                median(setUp), median(down), median(sum(setUp, down)), setUp.size());
    }

    private static List<Long> sum(List<Long> a, List<Long> b) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            out.add(a.get(i) + b.get(i));
        }
        return out;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

}
