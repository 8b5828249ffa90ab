package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** containerd 1.6 cri's capability arithmetic: ALL first, then the named adds, then the named drops. */
class CapabilitySetsTest {
    static final List<String> BASE = List.of("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW");
    static final List<String> ALL = List.of("CAP_CHOWN", "CAP_KILL", "CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_SYS_ADMIN");

    static List<String> apply(List<String> add, List<String> drop) {
        return CapabilitySets.apply("container c", BASE, ALL, add, drop);
    }

    @Test
    void addAllGivesEveryCapabilityTheDaemonHolds() {
        assertThat(apply(List.of("ALL"), List.of())).containsExactlyInAnyOrderElementsOf(ALL);
        assertThat(apply(List.of("all"), List.of())).containsExactlyInAnyOrderElementsOf(ALL);
    }

    @Test
    void dropAllLeavesNone() {
        assertThat(apply(List.of(), List.of("ALL"))).isEmpty();
    }

    @Test
    void addAllAndDropSomeIsAllButThose() {
        assertThat(apply(List.of("ALL"), List.of("SYS_ADMIN", "cap_chown")))
                .containsExactlyInAnyOrder("CAP_KILL", "CAP_NET_RAW", "CAP_NET_ADMIN");
    }

    @Test
    void dropAllAndAddSomeIsThoseAlone() {
        assertThat(apply(List.of("NET_ADMIN", "CAP_KILL"), List.of("All"))).containsExactlyInAnyOrder("CAP_NET_ADMIN", "CAP_KILL");
    }

    @Test
    void addAllAndDropAllIsNone() {
        assertThat(apply(List.of("ALL"), List.of("ALL"))).isEmpty();
    }

    @Test
    void namedAddsAndDropsWorkOnTheDefaultsAndADropWinsOverAnAdd() {
        assertThat(apply(List.of("net_admin", "CAP_SYS_ADMIN"), List.of("KILL", "SYS_ADMIN")))
                .containsExactlyInAnyOrder("CAP_CHOWN", "CAP_NET_RAW", "CAP_NET_ADMIN");
        assertThat(apply(List.of(), List.of())).containsExactlyElementsOf(BASE);
    }

    @Test
    void anUnknownCapabilityIsRefusedNamingItAndItsField() {
        assertThatThrownBy(() -> apply(List.of("NET_ADMIN", "FLY"), List.of()))
                .isInstanceOfSatisfying(JcdException.class, e -> {
                    assertThat(e.kind()).isEqualTo(ErrorKind.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("container c").contains("add_capabilities").contains("unknown capability \"FLY\"");
                });
        assertThatThrownBy(() -> apply(List.of(), List.of("CAP_NOPE")))
                .isInstanceOfSatisfying(JcdException.class, e -> assertThat(e.getMessage()).contains("drop_capabilities")
                        .contains("\"CAP_NOPE\""));
    }

    @Test
    void theDaemonsCapabilitiesAreItsCapEffBits(@TempDir Path dir) throws Exception {
        // this machine's root lacks CAP_SYS_RESOURCE (bit 24): 0x1fffeffffff
        Path status = Files.writeString(dir.resolve("status"), "Name:\tjava\nCapInh:\t0000000000000000\nCapEff:\t000001fffeffffff\n");

        List<String> caps = CapabilitySets.current(status);

        assertThat(caps).hasSize(40).contains("CAP_SYS_ADMIN", "CAP_CHECKPOINT_RESTORE", "CAP_CHOWN").doesNotContain("CAP_SYS_RESOURCE");
        assertThat(CapabilitySets.fromMask(0b101)).containsExactly("CAP_CHOWN", "CAP_DAC_READ_SEARCH");
    }
}
