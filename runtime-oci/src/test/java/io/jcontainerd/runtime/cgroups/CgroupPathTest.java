package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.JruncException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** linux.cgroupsPath is cleaned lexically against "/" (runc's utils.CleanPath): it can never climb out of a hierarchy. */
class CgroupPathTest {
    @Test
    void dotDotAtTheTopStaysAtTheCgroupRoot() {
        assertThat(CgroupManager.normalize("/../../../../var/tmp/escape", "c1")).isEqualTo("/var/tmp/escape");
        assertThat(CgroupManager.normalize("/default/../../../etc/x", "c1")).isEqualTo("/etc/x");
    }

    @Test
    void relativePathsAndRedundantSeparatorsAreCleanedToo() {
        assertThat(CgroupManager.normalize("../x/./y//z/", "c1")).isEqualTo("/x/y/z");
        assertThat(CgroupManager.normalize("default/c1", "c1")).isEqualTo("/default/c1");
        assertThat(CgroupManager.normalize(null, "c1")).isEqualTo("/c1");
    }

    @Test
    void theSystemdFormIsCleanedAfterItIsLaidOut() {
        String p = CgroupManager.normalize("../../..:x:../../../../etc", "c1");
        assertThat(p).startsWith("/").doesNotContain("/../").doesNotEndWith("/..");
    }

    @Test
    void aPathThatIsTheCgroupRootItselfIsRefused() {
        assertThatThrownBy(() -> CgroupManager.normalize("/..", "c1")).isInstanceOf(JruncException.class)
                .hasMessageContaining("linux.cgroupsPath /.. names the cgroup root");
    }
}
