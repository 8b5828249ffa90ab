package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonTest {
    @Test
    void parsesNestedDocumentsWithEscapesAndBigNumbers() {
        Object v = Json.parse("{\"a\": [1, -2, 18446744073709551615, 1.5], \"s\": \"x\\\"\\n\\u00e9\", \"t\": true, \"n\": null}");
        assertThat(v).isEqualTo(new LinkedHashMap<>(Map.of("a", List.of(1L, -2L, new BigInteger("18446744073709551615"), new java.math.BigDecimal("1.5")),
                "s", "x\"\né", "t", true)) {{ put("n", null); }});
    }

    @Test
    void writesLikeGosMarshalIndent() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", "1.0.2-dev");
        m.put("pid", 42L);
        m.put("list", List.of("a"));
        m.put("empty", Map.of());
        assertThat(Json.write(m)).isEqualTo("{\n  \"ociVersion\": \"1.0.2-dev\",\n  \"pid\": 42,\n  \"list\": [\n    \"a\"\n  ],\n  \"empty\": {}\n}");
    }

    @Test
    void compactFormIsOneLine() {
        assertThat(Json.compact(List.of(Map.of("id", "a"), 7L))).isEqualTo("[{\"id\":\"a\"},7]");
    }

    @Test
    void roundTripsEscapesControlCharactersAndNumbersAtTheLongBoundary() {
        String nasty = "plain then \\ \" \n\t\r \u0001 <a&b> é end";
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", nasty);
        m.put("max", Long.MAX_VALUE);
        m.put("eighteen", 999_999_999_999_999_999L);
        m.put("min", Long.MIN_VALUE);
        String written = Json.compact(m);
        assertThat(written).contains("\\u0001").contains("\\u003ca\\u0026b\\u003e").doesNotContain("<");
        assertThat(Json.parse(written)).isEqualTo(m);
        assertThat(Json.parse("[12345678901234567890, -0, \"no escapes\"]"))
                .isEqualTo(List.of(new BigInteger("12345678901234567890"), 0L, "no escapes"));
    }

    @Test
    void reportsWhereTheDocumentIsBroken() {
        assertThatThrownBy(() -> Json.parse("{\n  \"a\": tru\n}")).isInstanceOf(JruncException.class).hasMessageContaining("line 2 column 8");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1} x")).hasMessageContaining("unexpected text after the document");
    }
}
