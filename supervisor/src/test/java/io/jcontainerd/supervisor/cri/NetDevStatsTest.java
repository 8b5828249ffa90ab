package io.jcontainerd.supervisor.cri;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetDevStatsTest {
    static final String NET_DEV = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     140       2    0    0    0     0          0         0      140       2    0    0    0     0       0          0
              eth0:    8752      61    3    4    0     0          0         0     1806      19    1    2    0     0       0          0
             net1: 18446744073709551615 1 0 0 0 0 0 0 5 1 0 0 0 0 0 0
            """;

    @Test
    void everyInterfaceButLoopbackWithReceivedAndSentBytesAndErrors() {
        var ifs = NetDevStats.parse(NET_DEV);

        assertThat(ifs).extracting(NetDevStats.Counters::name).containsExactly("eth0", "net1");
        var eth0 = ifs.getFirst();
        assertThat(eth0).isEqualTo(new NetDevStats.Counters("eth0", 8752, 61, 3, 4, 1806, 19, 1, 2));
        assertThat(eth0.usage().getRxBytes().getValue()).isEqualTo(8752);
        assertThat(eth0.usage().getRxErrors().getValue()).isEqualTo(3);
        assertThat(eth0.usage().getTxBytes().getValue()).isEqualTo(1806);
        assertThat(eth0.usage().getTxErrors().getValue()).isEqualTo(1);
        assertThat(Long.toUnsignedString(ifs.get(1).rxBytes())).as("a uint64 counter past Long.MAX_VALUE").isEqualTo("18446744073709551615");
    }

    @Test
    void aTruncatedLineIsRefusedNamingTheInterface() {
        assertThatThrownBy(() -> NetDevStats.parse("  eth0: 1 2 3\n")).hasMessageContaining("eth0").hasMessageContaining("3 counters, not 16");
    }
}
