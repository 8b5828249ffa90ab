package io.jcontainerd.runtime.container;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.jcontainerd.runtime.linux.LinuxConstants.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Which creates the spare init stage (born in new pid, uts, ipc and network namespaces) serves, and what it moves into. */
class SpareInitFitTest {
    private static final int HOST_NETWORK = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;

    @Test
    void aCreateAskingForTheSparesNamespacesIsServedAsTheSpareWasBorn() {
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES, Map.of(), 0)).contains(new SpareInit.Fit(Map.of()));
    }

    @Test
    void aHostNetworkCreateIsServedInTheNetworkNamespaceOfTheThreadThatCreates() {
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of(), 0))
                .contains(new SpareInit.Fit(Map.of(CLONE_NEWNET, "/proc/thread-self/ns/net")));
    }

    @Test
    void aHostNetworkPodsPauseKeepsTheHostsNetworkAndUtsNamespaces() {
        assertThat(SpareInit.fit(CLONE_NEWPID | CLONE_NEWIPC, Map.of(), 0)).contains(new SpareInit.Fit(
                Map.of(CLONE_NEWNET, "/proc/thread-self/ns/net", CLONE_NEWUTS, "/proc/thread-self/ns/uts")));
        assertThat(SpareInit.fit(CLONE_NEWPID, Map.of(), 0)).as("hostIPC too").contains(new SpareInit.Fit(Map.of(
                CLONE_NEWNET, "/proc/thread-self/ns/net", CLONE_NEWUTS, "/proc/thread-self/ns/uts", CLONE_NEWIPC, "/proc/thread-self/ns/ipc")));
    }

    @Test
    void aCreateWhoseJoinsAreNetworkUtsOrIpcNamespacesIsServedInThem() {
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("/run/netns/pod", CLONE_NEWNET), 0))
                .contains(new SpareInit.Fit(Map.of(CLONE_NEWNET, "/run/netns/pod")));
        assertThat(SpareInit.fit(CLONE_NEWPID, Map.of("/run/netns/pod", CLONE_NEWNET, "/proc/7/ns/uts", CLONE_NEWUTS), 0))
                .contains(new SpareInit.Fit(Map.of(CLONE_NEWNET, "/run/netns/pod", CLONE_NEWUTS, "/proc/7/ns/uts",
                        CLONE_NEWIPC, "/proc/thread-self/ns/ipc")));
    }

    @Test
    void aCreateThatJoinsAPidNamespaceOrAnyOtherIsNotServed() {
        assertThat(SpareInit.fit(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET, Map.of("/proc/7/ns/pid", CLONE_NEWPID), 0)).isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("/proc/7/ns/cgroup", CLONE_NEWCGROUP), 0)).isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("/proc/7/ns/user", CLONE_NEWUSER), 0)).isEmpty();
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES, Map.of("/run/netns/pod", CLONE_NEWNET), 0))
                .as("a network namespace both created and joined").isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("", CLONE_NEWNET), 0)).as("an empty path").isEmpty();
        Map<String, Integer> twoNets = new LinkedHashMap<>();
        twoNets.put("/run/netns/a", CLONE_NEWNET);
        twoNets.put("/run/netns/b", CLONE_NEWNET);
        assertThat(SpareInit.fit(HOST_NETWORK, twoNets, 0)).isEmpty();
    }

    @Test
    void aCreateWithoutANewPidNamespaceOrWithOneTheSpareLacksIsNotServed() {
        assertThat(SpareInit.fit(CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET, Map.of(), 0)).as("the host's pid namespace").isEmpty();
        assertThat(SpareInit.fit(0, Map.of(), 0)).as("every namespace the host's").isEmpty();
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES | CLONE_NEWCGROUP, Map.of(), 0)).isEmpty();
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES | CLONE_NEWUSER, Map.of(), 0)).isEmpty();
    }

    @Test
    void aCreateThatKeepsExtraFdsIsNotServed() {
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES, Map.of(), 1)).isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of(), 2)).isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("/run/netns/pod", CLONE_NEWNET), 1)).isEmpty();
    }
}
