package io.jcontainerd.supervisor.events;

import io.jcontainerd.api.events.NamespaceCreate;
import io.jcontainerd.api.events.TaskExit;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.UnavailableException;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.config.filters.FilterParser;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventExchangeTest {
    final EventExchange exchange = new EventExchange();

    @Test
    void deliversMatchingEventsInOrderWithBareTypeUrls() throws Exception {
        try (var moby = exchange.subscribe(FilterParser.parseAll(List.of("namespace==moby,topic~=|^/tasks/|")))) {
            exchange.publish("default", "/tasks/exit", TaskExit.newBuilder().setContainerId("a").build());
            exchange.publish("moby", "/namespaces/create", NamespaceCreate.newBuilder().setName("moby").build());
            exchange.publish("moby", "/tasks/exit", TaskExit.newBuilder().setContainerId("b").setExitStatus(3).build());
            exchange.publish("moby", "/tasks/exit", TaskExit.newBuilder().setContainerId("c").build());
            Event first = moby.next(1000);
            assertThat(first.topic()).isEqualTo("/tasks/exit");
            assertThat(first.payload().getTypeUrl()).isEqualTo("containerd.events.TaskExit");
            assertThat(TaskExit.parseFrom(first.payload().getValue()).getContainerId()).isEqualTo("b");
            assertThat(TaskExit.parseFrom(moby.next(1000).payload().getValue()).getContainerId()).isEqualTo("c");
            assertThat(moby.next(50)).isNull();
        }
    }

    @Test
    void filtersOnPayloadFields() throws Exception {
        try (var sub = exchange.subscribe(FilterParser.parse("event.container_id==web"))) {
            exchange.publish("default", "/tasks/exit", TaskExit.newBuilder().setContainerId("db").build());
            exchange.publish("default", "/tasks/exit", TaskExit.newBuilder().setContainerId("web").build());
            assertThat(TaskExit.parseFrom(sub.next(1000).payload().getValue()).getContainerId()).isEqualTo("web");
            assertThat(sub.next(50)).isNull();
        }
    }

    @Test
    void subscribersSeeOnlyWhatIsPublishedAfterTheySubscribeAndLeaveOnClose() throws Exception {
        exchange.publish("default", "/namespaces/create", NamespaceCreate.getDefaultInstance());
        var sub = exchange.subscribe(Filter.ALWAYS);
        assertThat(sub.next(50)).isNull();
        sub.close();
        assertThat(exchange.subscriberCount()).isZero();
    }

    @Test
    void aSubscriberThatFallsTooFarBehindIsCutOffWithAClearError() throws Exception {
        var slow = exchange.subscribe(Filter.ALWAYS);
        for (int i = 0; i <= EventExchange.BACKLOG; i++) {
            exchange.publish("default", "/namespaces/create", NamespaceCreate.getDefaultInstance());
        }
        assertThat(exchange.subscriberCount()).isZero();
        for (int i = 0; i < EventExchange.BACKLOG; i++) {
            assertThat(slow.next(10)).isNotNull();
        }
        assertThatThrownBy(() -> slow.next(10)).isInstanceOf(UnavailableException.class).hasMessageContaining("subscribe again");
    }

    @Test
    void topicsFollowContainerdsRule() {
        assertThat(EventExchange.validateTopic("/tasks/exec-added")).isEqualTo("/tasks/exec-added");
        assertThatThrownBy(() -> EventExchange.validateTopic("tasks/exit")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> EventExchange.validateTopic("/tasks//exit")).hasMessageContaining("component \"\"");
        assertThatThrownBy(() -> EventExchange.validateTopic("/")).isInstanceOf(InvalidArgumentException.class);
    }
}
