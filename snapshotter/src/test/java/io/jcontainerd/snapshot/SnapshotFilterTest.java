package io.jcontainerd.snapshot;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SnapshotFilterTest {
    private final SnapshotInfo layer = new SnapshotInfo("sha256:abc", "sha256:parent", Kind.COMMITTED,
            Map.of("containerd.io/gc.root", "2026", "tier", "base"), Instant.EPOCH, Instant.EPOCH);

    @Test
    void noFilterMatchesEverything() {
        assertThat(SnapshotFilter.parse().test(layer)).isTrue();
        assertThat(SnapshotFilter.parse("").test(layer)).isTrue();
    }

    @Test
    void matchesFieldsWithEqualityInequalityAndRegex() {
        assertThat(SnapshotFilter.parse("name==sha256:abc").test(layer)).isTrue();
        assertThat(SnapshotFilter.parse("name!=sha256:abc").test(layer)).isFalse();
        assertThat(SnapshotFilter.parse("parent~=^sha256:p").test(layer)).isTrue();
        assertThat(SnapshotFilter.parse("kind==committed").test(layer)).isTrue();
        assertThat(SnapshotFilter.parse("kind==active").test(layer)).isFalse();
        assertThat(SnapshotFilter.parse("name~=/abc$/").test(layer)).isTrue();
    }

    @Test
    void matchesQuotedLabelKeysAndLabelPresence() {
        assertThat(SnapshotFilter.parse("labels.\"containerd.io/gc.root\"").test(layer)).isTrue();
        assertThat(SnapshotFilter.parse("labels.\"containerd.io/gc.root\"==2026").test(layer)).isTrue();
        assertThat(SnapshotFilter.parse("labels.missing").test(layer)).isFalse();
        assertThat(SnapshotFilter.parse("labels.tier==\"base\"").test(layer)).isTrue();
    }

    @Test
    void commasAreAndSeveralFiltersAreOr() {
        assertThat(SnapshotFilter.parse("kind==committed,labels.tier==base").test(layer)).isTrue();
        assertThat(SnapshotFilter.parse("kind==committed,labels.tier==top").test(layer)).isFalse();
        assertThat(SnapshotFilter.parse("kind==view", "labels.tier==base").test(layer)).isTrue();
    }

    @Test
    void refusesMalformedFiltersNamingThem() {
        assertThatThrownBy(() -> SnapshotFilter.parse("labels.\"open")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("labels.\"open");
        assertThatThrownBy(() -> SnapshotFilter.parse("name~=(")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> SnapshotFilter.parse("==x")).isInstanceOf(InvalidArgumentException.class);
    }
}
