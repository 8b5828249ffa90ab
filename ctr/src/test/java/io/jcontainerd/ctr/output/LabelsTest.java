package io.jcontainerd.ctr.output;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Labels print as ctr prints them: k=v pairs sorted by key, joined by commas; and read back from k=v arguments. */
class LabelsTest {
    @Test
    void labelsPrintSortedByKeyJoinedByCommas() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("b", "2");
        labels.put("a", "");
        labels.put("containerd.io/gc.ref", "x=y");
        assertThat(Labels.format(labels)).isEqualTo("a=,b=2,containerd.io/gc.ref=x=y");
        assertThat(Labels.format(Map.of())).isEmpty();
        assertThat(Labels.format(Labels.parse(List.of("k=v", "e", "f=")))).isEqualTo("e=,f=,k=v");
    }
}
