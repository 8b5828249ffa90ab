package io.jcontainerd.runtime.cgroups;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The v1 hierarchies a container's cgroup is made in, as read from /proc/self/mountinfo. */
class V1HierarchiesTest {
    private static final List<String> HYBRID = List.of(
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "31 23 0:28 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755",
            "32 31 0:29 / /sys/fs/cgroup/unified rw,nosuid shared:10 - cgroup2 cgroup2 rw,nsdelegate",
            "33 31 0:30 / /sys/fs/cgroup/systemd rw,nosuid shared:11 - cgroup cgroup rw,xattr,name=systemd",
            "34 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:12 master:3 - cgroup cgroup rw,cpu,cpuacct",
            "35 31 0:32 / /sys/fs/cgroup/memory rw,nosuid shared:13 - cgroup cgroup rw,memory",
            "36 22 0:33 / /run/a\\040b rw,relatime - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w",
            "37 31 0:31 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid - cgroup cgroup rw,cpu,cpuacct",
            "garbage line without a separator");

    @Test
    void eachCgroupMountPointIsAHierarchyWithTheControllersItHolds() {
        Map<Path, List<String>> h = V1CgroupManager.hierarchies(HYBRID);
        assertThat(h).containsExactly(
                Map.entry(Path.of("/sys/fs/cgroup/unified"), List.of("unified")),
                Map.entry(Path.of("/sys/fs/cgroup/systemd"), List.of("name=systemd")),
                Map.entry(Path.of("/sys/fs/cgroup/cpu,cpuacct"), List.of("cpu", "cpuacct")),
                Map.entry(Path.of("/sys/fs/cgroup/memory"), List.of("memory")));
    }

    @Test
    void theHierarchiesReadAreNotChangedByTheirUsers() {
        assertThatThrownBy(() -> V1CgroupManager.hierarchies(HYBRID).clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void anExistingContainersCgroupUsesTheHierarchiesTheLastCreateRead() throws Exception {
        // nothing is made on the host: only the directories each would use are compared (v2: none, both)
        CgroupManager created = CgroupManager.forContainer("/jrunc-v1-hierarchies-test/c1", "c1");
        CgroupManager existing = CgroupManager.ofExisting("/jrunc-v1-hierarchies-test/c1", "c1");
        assertThat(existing.hierarchyBinds()).isEqualTo(created.hierarchyBinds());
        assertThat(existing.unified()).isEqualTo(created.unified());
    }
}
