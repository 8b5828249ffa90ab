package io.jcontainerd.runtime.container;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static io.jcontainerd.runtime.linux.LinuxConstants.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Which creates the spare init stage (born in new pid, uts, ipc and network namespaces) serves, and how. */
class SpareInitFitTest {
    private static final int HOST_NETWORK = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;

    @Test
    void aCreateAskingForTheSparesNamespacesIsServedAsTheSpareWasBorn() {
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES, Map.of(), 0)).contains(new SpareInit.Fit(null));
    }

    @Test
    void aHostNetworkCreateIsServedInTheNetworkNamespaceOfTheThreadThatCreates() {
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of(), 0)).contains(new SpareInit.Fit("/proc/thread-self/ns/net"));
    }

    @Test
    void aCreateWhoseOnlyJoinIsANetworkNamespaceIsServedInThatNamespace() {
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("/run/netns/pod", CLONE_NEWNET), 0))
                .contains(new SpareInit.Fit("/run/netns/pod"));
    }

    @Test
    void aCreateThatJoinsAnyOtherNamespaceIsNotServed() {
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("/proc/1/ns/ipc", CLONE_NEWIPC), 0)).isEmpty();
        assertThat(SpareInit.fit(CLONE_NEWPID | CLONE_NEWUTS, Map.of("/proc/1/ns/ipc", CLONE_NEWIPC), 0)).isEmpty();
        Map<String, Integer> two = new LinkedHashMap<>();
        two.put("/run/netns/pod", CLONE_NEWNET);
        two.put("/proc/1/ns/uts", CLONE_NEWUTS);
        assertThat(SpareInit.fit(CLONE_NEWPID | CLONE_NEWIPC, two, 0)).isEmpty();
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES, Map.of("/run/netns/pod", CLONE_NEWNET), 0))
                .as("a network namespace both created and joined").isEmpty();
    }

    @Test
    void aCreateAskingForOtherNamespacesIsNotServed() {
        assertThat(SpareInit.fit(CLONE_NEWPID | CLONE_NEWIPC, Map.of(), 0)).as("the host's uts namespace").isEmpty();
        assertThat(SpareInit.fit(CLONE_NEWUTS | CLONE_NEWIPC, Map.of(), 0)).as("the host's pid namespace").isEmpty();
        assertThat(SpareInit.fit(0, Map.of(), 0)).as("every namespace the host's").isEmpty();
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES | CLONE_NEWCGROUP, Map.of(), 0)).isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK | CLONE_NEWCGROUP, Map.of("/run/netns/pod", CLONE_NEWNET), 0)).isEmpty();
    }

    @Test
    void aCreateThatKeepsExtraFdsIsNotServed() {
        assertThat(SpareInit.fit(InitLauncher.SPARE_NAMESPACES, Map.of(), 1)).isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of(), 2)).isEmpty();
        assertThat(SpareInit.fit(HOST_NETWORK, Map.of("/run/netns/pod", CLONE_NEWNET), 1)).isEmpty();
    }
}
