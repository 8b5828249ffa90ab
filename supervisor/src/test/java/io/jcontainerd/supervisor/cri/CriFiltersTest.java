package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerFilter;
import io.jcontainerd.api.cri.v1.ContainerState;
import io.jcontainerd.api.cri.v1.ContainerStateValue;
import io.jcontainerd.api.cri.v1.PodSandboxFilter;
import io.jcontainerd.api.cri.v1.PodSandboxState;
import io.jcontainerd.api.cri.v1.PodSandboxStateValue;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class CriFiltersTest {
    static final Map<String, String> LABELS = Map.of("app", "web", "tier", "front");

    @Test
    void anEmptySandboxFilterMatchesEverySandbox() {
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.getDefaultInstance(), "abc", PodSandboxState.SANDBOX_NOTREADY, Map.of())).isTrue();
    }

    @Test
    void sandboxIdMatchesWholeOrByPrefix() {
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.newBuilder().setId("abc123").build(), "abc123", PodSandboxState.SANDBOX_READY, LABELS)).isTrue();
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.newBuilder().setId("abc").build(), "abc123", PodSandboxState.SANDBOX_READY, LABELS)).isTrue();
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.newBuilder().setId("abd").build(), "abc123", PodSandboxState.SANDBOX_READY, LABELS)).isFalse();
    }

    @Test
    void sandboxStateIsMatchedOnlyWhenGiven() {
        PodSandboxFilter ready = PodSandboxFilter.newBuilder().setState(PodSandboxStateValue.newBuilder().setState(PodSandboxState.SANDBOX_READY)).build();
        assertThat(CriFilters.sandboxMatches(ready, "a", PodSandboxState.SANDBOX_READY, LABELS)).isTrue();
        assertThat(CriFilters.sandboxMatches(ready, "a", PodSandboxState.SANDBOX_NOTREADY, LABELS)).isFalse();
        // SANDBOX_READY is the enum's zero value: a filter without state must not mean "ready only"
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.getDefaultInstance(), "a", PodSandboxState.SANDBOX_NOTREADY, LABELS)).isTrue();
    }

    @Test
    void everyLabelOfTheSelectorMustBePresentWithTheSameValue() {
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.newBuilder().putLabelSelector("app", "web").build(), "a",
                PodSandboxState.SANDBOX_READY, LABELS)).isTrue();
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.newBuilder().putLabelSelector("app", "web").putLabelSelector("tier", "back").build(),
                "a", PodSandboxState.SANDBOX_READY, LABELS)).isFalse();
        assertThat(CriFilters.sandboxMatches(PodSandboxFilter.newBuilder().putLabelSelector("missing", "").build(), "a",
                PodSandboxState.SANDBOX_READY, LABELS)).isFalse();
    }

    @Test
    void containerFiltersCombineIdStateSandboxAndLabels() {
        ContainerFilter f = ContainerFilter.newBuilder().setPodSandboxId("pod1")
                .setState(ContainerStateValue.newBuilder().setState(ContainerState.CONTAINER_RUNNING)).putLabelSelector("app", "web").build();
        assertThat(CriFilters.containerMatches(f, "c1", ContainerState.CONTAINER_RUNNING, "pod1", LABELS)).isTrue();
        assertThat(CriFilters.containerMatches(f, "c1", ContainerState.CONTAINER_EXITED, "pod1", LABELS)).isFalse();
        assertThat(CriFilters.containerMatches(f, "c1", ContainerState.CONTAINER_RUNNING, "pod2", LABELS)).isFalse();
        assertThat(CriFilters.containerMatches(f, "c1", ContainerState.CONTAINER_RUNNING, "pod1", Map.of())).isFalse();
        assertThat(CriFilters.containerMatches(ContainerFilter.newBuilder().setId("c").build(), "c1", ContainerState.CONTAINER_CREATED, "", Map.of())).isTrue();
    }
}
