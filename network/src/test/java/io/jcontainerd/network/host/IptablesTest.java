package io.jcontainerd.network.host;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class IptablesTest {
    @Test
    void splitsARuleKeepingQuotedCommentsWhole() {
        assertThat(Iptables.splitRule("CNI-HOSTPORT-DNAT -p tcp -m comment --comment \"dnat name: \\\"jcd-bridge\\\" id: \\\"x\\\"\" -j CNI-DN-1"))
                .containsExactly("CNI-HOSTPORT-DNAT", "-p", "tcp", "-m", "comment", "--comment", "dnat name: \"jcd-bridge\" id: \"x\"",
                        "-j", "CNI-DN-1");
    }
}
