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

    @Test
    void refusesWhatRfc8259RefusesWithAJsonSyntaxExceptionSayingWhat() {
        assertThatThrownBy(() -> Json.parse("\"a\\xb\"")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("unknown escape \\'x'");
        assertThatThrownBy(() -> Json.parse("\"\\u00zz\"")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("four hex digits");
        assertThatThrownBy(() -> Json.parse("\"\\u+123\"")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("four hex digits");
        assertThatThrownBy(() -> Json.parse("\"\\u12")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("four hex digits");
        assertThatThrownBy(() -> Json.parse("\"tab\there\"")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("control character U+0009");
        assertThatThrownBy(() -> Json.parse("01")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("after the document");
        assertThatThrownBy(() -> Json.parse("-")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("digit after '-'");
        assertThatThrownBy(() -> Json.parse("1.")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("digit after '.'");
        assertThatThrownBy(() -> Json.parse("[1e]")).isInstanceOf(JsonSyntaxException.class).hasMessageContaining("exponent");
        assertThat(Json.parse("[\"\\/\\\\\", 0, -0.5E+2]")).isEqualTo(List.of("/\\", 0L, new java.math.BigDecimal("-0.5E+2")));
    }

    @Test
    void refusesNestingDeeperThanTheLimitInsteadOfOverflowingTheStack() {
        String deep = "[".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep)).isInstanceOf(JsonSyntaxException.class)
                .hasMessageContaining("nested deeper than " + Json.MAX_DEPTH).hasMessageContaining("column " + (Json.MAX_DEPTH + 1));
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertThat(Json.parse(ok)).isInstanceOf(List.class);
    }

    @Test
    void refusesANumberLongerThanTheLimit() {
        String digits = "1".repeat(Json.MAX_NUMBER_CHARS + 1);
        assertThatThrownBy(() -> Json.parse(digits)).isInstanceOf(JsonSyntaxException.class)
                .hasMessageContaining("more than " + Json.MAX_NUMBER_CHARS + " characters");
        assertThat(Json.parse("1".repeat(Json.MAX_NUMBER_CHARS))).isInstanceOf(BigInteger.class);
    }
}
