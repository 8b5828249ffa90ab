package io.jcontainerd.config.filters;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterParserTest {
    static Adaptor event(String namespace, String topic) {
        Map<String, String> fields = Map.of("namespace", namespace, "topic", topic);
        return path -> Optional.ofNullable(fields.get(String.join(".", path)));
    }

    static Adaptor labelled(Map<String, String> labels) {
        return path -> path.size() == 2 && path.get(0).equals("labels")
                ? Optional.ofNullable(labels.get(path.get(1))) : Optional.empty();
    }

    @Test
    void dockerdsEventFilterWithPipeQuotedRegexp() {
        Filter f = FilterParser.parseAll(List.of("namespace==moby,topic~=|^/tasks/|"));
        assertThat(f.matches(event("moby", "/tasks/exit"))).isTrue();
        assertThat(f.matches(event("moby", "/images/create"))).isFalse();
        assertThat(f.matches(event("default", "/tasks/exit"))).isFalse();
    }

    @Test
    void containerd17PluginFilterWithSpaces() {
        Filter f = FilterParser.parse("type==io.containerd.snapshotter.v1, id==overlayfs");
        Adaptor overlay = p -> Optional.of(p.getFirst().equals("type") ? "io.containerd.snapshotter.v1" : "overlayfs");
        assertThat(f.matches(overlay)).isTrue();
    }

    @Test
    void emptyListOrEmptyStringMatchesEverything() {
        assertThat(FilterParser.parseAll(List.of()).matches(event("a", "b"))).isTrue();
        assertThat(FilterParser.parseAll(List.of("")).matches(event("a", "b"))).isTrue();
    }

    @Test
    void listIsAnOrOfAnds() {
        Filter f = FilterParser.parseAll(List.of("namespace==a,topic==x", "namespace==b"));
        assertThat(f.matches(event("a", "x"))).isTrue();
        assertThat(f.matches(event("a", "y"))).isFalse();
        assertThat(f.matches(event("b", "y"))).isTrue();
    }

    @Test
    void quotedFieldNamesReachLabelKeysWithDots() {
        Filter f = FilterParser.parse("labels.\"containerd.io/gc.ref\"==yes");
        assertThat(f.matches(labelled(Map.of("containerd.io/gc.ref", "yes")))).isTrue();
        assertThat(f.matches(labelled(Map.of()))).isFalse();
    }

    @Test
    void presenceNotEqualAndSlashQuotedRegexp() {
        assertThat(FilterParser.parse("labels.a").matches(labelled(Map.of("a", "1")))).isTrue();
        assertThat(FilterParser.parse("labels.a").matches(labelled(Map.of()))).isFalse();
        assertThat(FilterParser.parse("labels.a!=1").matches(labelled(Map.of()))).isTrue();
        assertThat(FilterParser.parse("labels.a~=/^v[0-9]+$/").matches(labelled(Map.of("a", "v12")))).isTrue();
        assertThat(FilterParser.parse("topic==\"/tasks/exit\"").matches(event("x", "/tasks/exit"))).isTrue();
    }

    @Test
    void malformedFiltersAreInvalidArgumentsNamingThePosition() {
        assertThatThrownBy(() -> FilterParser.parse("topic==/tasks/exit"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("position 7");
        assertThatThrownBy(() -> FilterParser.parse("name=x")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("expected an operator");
        assertThatThrownBy(() -> FilterParser.parse("name==\"x")).hasMessageContaining("unterminated");
        assertThatThrownBy(() -> FilterParser.parse("a~=|(|")).hasMessageContaining("invalid regular expression");
        assertThatThrownBy(() -> FilterParser.parse(",")).hasMessageContaining("expected a field name");
    }
}
