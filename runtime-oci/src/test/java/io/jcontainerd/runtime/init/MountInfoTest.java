package io.jcontainerd.runtime.init;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MountInfoTest {
    static final String INFO = """
            22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/root rw
            30 22 0:26 / /tmp rw,nosuid master:5 - tmpfs tmpfs rw
            31 22 0:27 / /var/lib/with\\040space rw shared:7 - tmpfs tmpfs rw
            40 30 0:28 / /tmp/b/rootfs rw shared:9 - overlay overlay rw
            """;

    @Test
    void findsTheMountHoldingAPathAndSaysWhetherItIsShared() {
        assertThat(MountInfo.sharedMountHolding(INFO, "/srv/bundle/rootfs")).isEqualTo("/");
        assertThat(MountInfo.sharedMountHolding(INFO, "/tmp/a/rootfs")).as("a slave mount is not shared").isNull();
        assertThat(MountInfo.sharedMountHolding(INFO, "/tmp/b/rootfs")).as("a rootfs that is a mount itself").isEqualTo("/tmp/b/rootfs");
        assertThat(MountInfo.sharedMountHolding(INFO, "/tmp/b/rootfsx")).isNull();
        assertThat(MountInfo.sharedMountHolding(INFO, "/var/lib/with space/c1")).isEqualTo("/var/lib/with space");
    }
}
