package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.ContainerEventType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jcontainerd.api.cri.v1.ContainerEventType.CONTAINER_CREATED_EVENT;
import static io.jcontainerd.api.cri.v1.ContainerEventType.CONTAINER_DELETED_EVENT;
import static io.jcontainerd.api.cri.v1.ContainerEventType.CONTAINER_STARTED_EVENT;
import static io.jcontainerd.api.cri.v1.ContainerEventType.CONTAINER_STOPPED_EVENT;
import static org.assertj.core.api.Assertions.assertThat;

class ContainerEventOrderTest {
    private final ContainerEventOrder order = new ContainerEventOrder();

    private List<ContainerEventType> bus(String id, ContainerEventType... events) {
        List<ContainerEventType> sent = new ArrayList<>();
        for (ContainerEventType e : events) {
            sent.addAll(order.on(id, e));
        }
        return sent;
    }

    @Test
    void aContainerWhoseExitComesBeforeItsDeleteGetsEachEventOnce() {
        assertThat(bus("c1", CONTAINER_CREATED_EVENT, CONTAINER_STARTED_EVENT, CONTAINER_STOPPED_EVENT, CONTAINER_DELETED_EVENT))
                .containsExactly(CONTAINER_CREATED_EVENT, CONTAINER_STARTED_EVENT, CONTAINER_STOPPED_EVENT, CONTAINER_DELETED_EVENT);
    }

    @Test
    void anExitThatReachesTheBusAfterTheDeleteIsSentAsAStoppedBeforeTheDeletedAndNotAgain() {
        assertThat(bus("c1", CONTAINER_CREATED_EVENT, CONTAINER_STARTED_EVENT, CONTAINER_DELETED_EVENT, CONTAINER_STOPPED_EVENT))
                .containsExactly(CONTAINER_CREATED_EVENT, CONTAINER_STARTED_EVENT, CONTAINER_STOPPED_EVENT, CONTAINER_DELETED_EVENT);
    }

    @Test
    void aContainerThatNeverRanGetsNoStopped() {
        assertThat(bus("c1", CONTAINER_CREATED_EVENT, CONTAINER_DELETED_EVENT)).containsExactly(CONTAINER_CREATED_EVENT, CONTAINER_DELETED_EVENT);
    }

    @Test
    void aContainerRunningWhenTheDaemonStartedGetsAStoppedBeforeItsDeleted() {
        order.running("c1");
        assertThat(bus("c1", CONTAINER_DELETED_EVENT, CONTAINER_STOPPED_EVENT)).containsExactly(CONTAINER_STOPPED_EVENT, CONTAINER_DELETED_EVENT);
    }

    @Test
    void anExitOfAContainerStartedBeforeTheDaemonIsSent() {
        assertThat(bus("c1", CONTAINER_STOPPED_EVENT, CONTAINER_DELETED_EVENT)).containsExactly(CONTAINER_STOPPED_EVENT, CONTAINER_DELETED_EVENT);
    }

    @Test
    void containersAreOrderedEachOnItsOwnAndAnIdUsedAgainStartsAfresh() {
        List<String> sent = new ArrayList<>();
        String[][] busEvents = {{"a", "CREATED"}, {"b", "CREATED"}, {"a", "STARTED"}, {"b", "STARTED"}, {"a", "DELETED"},
                {"b", "STOPPED"}, {"a", "STOPPED"}, {"b", "DELETED"}, {"a", "CREATED"}, {"a", "STARTED"}, {"a", "STOPPED"}};
        for (String[] e : busEvents) {
            order.on(e[0], ContainerEventType.valueOf("CONTAINER_" + e[1] + "_EVENT")).forEach(t -> sent.add(e[0] + " " + t.name()));
        }
        assertThat(sent).containsExactly("a CONTAINER_CREATED_EVENT", "b CONTAINER_CREATED_EVENT", "a CONTAINER_STARTED_EVENT",
                "b CONTAINER_STARTED_EVENT", "a CONTAINER_STOPPED_EVENT", "a CONTAINER_DELETED_EVENT", "b CONTAINER_STOPPED_EVENT",
                "b CONTAINER_DELETED_EVENT", "a CONTAINER_CREATED_EVENT", "a CONTAINER_STARTED_EVENT", "a CONTAINER_STOPPED_EVENT");
    }

    @Test
    void deletedIdsRememberedForLateExitsAreBounded() {
        for (int i = 0; i <= ContainerEventOrder.DELETED_REMEMBERED; i++) {
            bus("c" + i, CONTAINER_CREATED_EVENT, CONTAINER_STARTED_EVENT, CONTAINER_DELETED_EVENT);
        }
        assertThat(order.on("c0", CONTAINER_STOPPED_EVENT)).as("the oldest delete is forgotten").containsExactly(CONTAINER_STOPPED_EVENT);
        assertThat(order.on("c1", CONTAINER_STOPPED_EVENT)).as("a recent delete's late exit is dropped").isEmpty();
    }
}
