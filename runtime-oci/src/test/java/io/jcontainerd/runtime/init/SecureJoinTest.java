package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.linux.RecordingSyscalls;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecureJoinTest {
    @Test
    void dotDotNeverClimbsAboveTheRootfs() {
        assertThat(SecureJoin.join(new RecordingSyscalls(), "/r", "/../../etc/passwd")).isEqualTo("/r/etc/passwd");
    }

    @Test
    void absoluteSymlinksAreResolvedAgainstTheRootfs() {
        var sys = new RecordingSyscalls().link("/r/var/run", "/run");
        assertThat(SecureJoin.join(sys, "/r", "/var/run/x")).isEqualTo("/r/run/x");
    }

    @Test
    void relativeSymlinksThatPointOutsideStayInside() {
        var sys = new RecordingSyscalls().link("/r/a/evil", "../../../../host");
        assertThat(SecureJoin.join(sys, "/r", "/a/evil/file")).isEqualTo("/r/host/file");
    }

    @Test
    void theRootItselfResolvesToTheRootfs() {
        assertThat(SecureJoin.join(new RecordingSyscalls(), "/r", "/")).isEqualTo("/r");
    }
}
