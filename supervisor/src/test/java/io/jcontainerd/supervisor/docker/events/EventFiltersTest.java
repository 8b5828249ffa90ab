package io.jcontainerd.supervisor.docker.events;

import io.jcontainerd.supervisor.docker.http.DockerApiException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EventFiltersTest {
    private static final DockerEvent HEALTHY = new DockerEvent("container", "health_status: healthy", "abcdef0123",
            Map.of("name", "web", "image", "busybox", "team", "a"), 5);

    @Test
    void keysAllMatchValuesAreAlternativesAndHealthStatusMatchesByPrefix() {
        assertThat(EventFilters.parse("{\"event\":[\"health_status\"],\"container\":[\"web\"]}").test(HEALTHY)).isTrue();
        assertThat(EventFilters.parse("{\"event\":[\"health\"]}").test(HEALTHY)).isFalse();
        assertThat(EventFilters.parse("{\"event\":[\"start\",\"health_status: healthy\"]}").test(HEALTHY)).isTrue();
        assertThat(EventFilters.parse("{\"container\":[\"abcdef\"],\"type\":[\"container\"]}").test(HEALTHY)).isTrue();
        assertThat(EventFilters.parse("{\"container\":[\"other\"]}").test(HEALTHY)).isFalse();
        assertThat(EventFilters.parse("{\"image\":[\"docker.io/library/busybox:latest\"]}").test(HEALTHY)).isTrue();
        assertThat(EventFilters.parse("{\"label\":[\"team=a\"]}").test(HEALTHY)).isTrue();
        assertThat(EventFilters.parse("{\"label\":{\"team=b\":true}}").test(HEALTHY)).isFalse();
        assertThat(EventFilters.parse("{\"type\":[\"volume\"]}").test(HEALTHY)).isFalse();
    }

    @Test
    void anUnknownFilterIsA400() {
        assertThatThrownBy(() -> EventFilters.parse("{\"colour\":[\"red\"]}")).isInstanceOf(DockerApiException.class)
                .hasMessageContaining("colour");
        assertThatThrownBy(() -> EventFilters.parse("[1")).hasMessageContaining("not JSON");
    }

    @Test
    void aSubscriberGetsTheKeptEventsSinceItsStartThenTheNewOnesAndAnEventAsDockerdWritesIt() throws Exception {
        EventBus bus = new EventBus();
        bus.publish(new DockerEvent("container", "create", "c1", Map.of(), 10));
        bus.publish(new DockerEvent("container", "start", "c1", Map.of(), 20));
        List<DockerEvent> past = new ArrayList<>();
        try (EventBus.Subscription s = bus.subscribe(e -> e.action().equals("start"), 15, past)) {
            assertThat(past).extracting(DockerEvent::timeNano).containsExactly(20L);
            bus.publish(new DockerEvent("container", "die", "c1", Map.of(), 30));
            bus.publish(new DockerEvent("container", "start", "c1", Map.of(), 40));
            assertThat(s.poll(1000).timeNano()).isEqualTo(40);
        }
        assertThat(bus.listeners()).isZero();
        assertThat(HEALTHY.json().toString()).isEqualTo("{\"status\":\"health_status: healthy\",\"id\":\"abcdef0123\",\"from\":\"busybox\","
                + "\"Type\":\"container\",\"Action\":\"health_status: healthy\",\"Actor\":{\"ID\":\"abcdef0123\",\"Attributes\":"
                + "{\"image\":\"busybox\",\"name\":\"web\",\"team\":\"a\"}},\"scope\":\"local\",\"time\":0,\"timeNano\":5}");
    }
}
