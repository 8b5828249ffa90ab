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

    @Test
    void everySubscriberSeesConcurrentPublishersInOneOrderWithTimestampsInThatOrder() throws Exception {
        EventExchange x = new EventExchange();
        EventExchange.Subscription a = x.subscribe(Filter.ALWAYS);
        EventExchange.Subscription b = x.subscribe(Filter.ALWAYS);
        int publishers = 4, each = 1500;   // 6000 events: below the backlog, nobody is cut off
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        List<Thread> threads = new java.util.ArrayList<>();
        for (int p = 0; p < publishers; p++) {
            String ns = "p" + p;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int k = 0; k < each; k++) {
                    x.publish(ns, "/namespaces/create", NamespaceCreate.newBuilder().setName(ns + "-" + k).build());
                }
            }));
        }
        go.countDown();
        for (Thread t : threads) t.join();
        List<Event> seenByA = drain(a, publishers * each);
        List<Event> seenByB = drain(b, publishers * each);
        assertThat(seenByB).as("the second subscriber's order").containsExactlyElementsOf(seenByA);
        for (int k = 1; k < seenByA.size(); k++) {
            assertThat(seenByA.get(k).timestamp()).as("event %d's timestamp", k).isAfterOrEqualTo(seenByA.get(k - 1).timestamp());
        }
    }

    private static List<Event> drain(EventExchange.Subscription s, int n) throws InterruptedException {
        List<Event> out = new java.util.ArrayList<>();
        while (out.size() < n) {
            Event e = s.next(5000);
            assertThat(e).as("event %d of %d", out.size(), n).isNotNull();
            out.add(e);
        }
        return out;
    }
}
