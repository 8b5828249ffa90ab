package io.jcontainerd.ctr.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JsonTree reads image manifests and configs as `jctr run` read them with Jackson's tree, and refuses what is not JSON, saying where. */
class JsonTreeTest {
    private static Object parse(String json) {
        return JsonTree.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anImageConfigReadsAsJacksonsTreeReadIt() throws Exception {
        String config = """
                {"architecture":"amd64","config":{"Env":["PATH=/bin","A=\\"q\\" \\u00e9\\n"],"Entrypoint":null,
                 "Cmd":["sh", 1, true, null, {"x":1}],"WorkingDir":"/w","User":null,"Labels":{"a":"1","b":2,"c":null,"a":"3"}},
                 "rootfs":{"type":"layers","diff_ids":["sha256:1","sha256:2"]}, "n": -1.5e+3 }
                """;
        JsonNode j = new ObjectMapper().readTree(config);
        Object t = parse(config);
        Object c = JsonTree.member(t, "config");
        for (String list : List.of("Env", "Entrypoint", "Cmd", "Missing")) {
            List<String> expected = new java.util.ArrayList<>();
            j.path("config").path(list).forEach(n -> expected.add(n.asText()));
            assertThat(JsonTree.texts(JsonTree.member(c, list))).as(list).isEqualTo(expected);
        }
        for (String text : List.of("WorkingDir", "User", "Missing", "Labels")) {
            assertThat(JsonTree.text(JsonTree.member(c, text), "")).as(text).isEqualTo(j.path("config").path(text).asText(""));
        }
        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put("a", "3");
        labels.put("b", new JsonTree.Num("2"));
        labels.put("c", null);
        assertThat((Map<?, ?>) JsonTree.member(c, "Labels")).containsExactlyEntriesOf((Map) labels);
        assertThat(JsonTree.texts(JsonTree.member(JsonTree.member(t, "rootfs"), "diff_ids"))).containsExactly("sha256:1", "sha256:2");
        assertThat(JsonTree.text(JsonTree.member(t, "n"), "")).isEqualTo("-1.5e+3");
        assertThat(JsonTree.member(JsonTree.member(t, "nothing"), "x")).isNull();
    }

    @Test
    void whatIsNotJsonIsRefusedSayingWhereItBroke() {
        for (String bad : List.of("", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "01", "1.", "-", "\"\\x\"", "\"a\u0001\"", "tru",
                "{} x", "\"\\u12\"", "[\"unterminated", "[1 2]", "{\"a\":1,}", "\"\\u００４１\"", "{1:2}", "[1e]", "[-]", "nul",
                "[true false]", "\"a\\", "{\"a\"}", "]", "truex", "1 2", "[1,,2]", "+1", ".5")) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("invalid JSON: ").hasMessageContaining(" at offset ");
        }
    }

    @Test
    void stringsNumbersAndSpacesReadAsJacksonReadsThem() throws Exception {
        String doc = "\uFEFF \t\r\n{\"s\":\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\ud83d\\ude00\u00e9\u4e2d\",\"e\":\"\",\"n\":[0,-0,12,1.25,1E9,2e-3,-7.0E+10],"
                + "\"o\":{},\"a\":[],\"b\":[true,false,null]} \n";
        JsonNode j = new ObjectMapper().readTree(doc.substring(1));
        Object t = parse(doc);
        assertThat(JsonTree.text(JsonTree.member(t, "s"), "")).isEqualTo(j.path("s").asText());
        assertThat(JsonTree.text(JsonTree.member(t, "e"), "x")).isEmpty();
        assertThat(JsonTree.texts(JsonTree.member(t, "n"))).containsExactly("0", "-0", "12", "1.25", "1E9", "2e-3", "-7.0E+10");
        assertThat(JsonTree.texts(JsonTree.member(t, "b"))).containsExactly("true", "false", "null");
        assertThat((Map<?, ?>) JsonTree.member(t, "o")).isEmpty();
        assertThat((List<?>) JsonTree.member(t, "a")).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8AreRefused() {
        assertThatThrownBy(() -> JsonTree.parse(new byte[]{'"', 'a', (byte) 0xC3, '"'}))
                .hasMessage("invalid JSON: not UTF-8 at byte offset 2");
        assertThatThrownBy(() -> JsonTree.parse(new byte[]{'"', (byte) 0xFF, '"'})).hasMessageStartingWith("invalid JSON: not UTF-8");
    }

    @Test
    void nestingAndSizeAreBounded() {
        assertThat(parse("[".repeat(JsonTree.MAX_DEPTH) + "]".repeat(JsonTree.MAX_DEPTH))).isInstanceOf(List.class);
        assertThatThrownBy(() -> parse("[".repeat(JsonTree.MAX_DEPTH + 1) + "]".repeat(JsonTree.MAX_DEPTH + 1)))
                .hasMessage("invalid JSON: nesting deeper than " + JsonTree.MAX_DEPTH + " levels at offset " + JsonTree.MAX_DEPTH);
        assertThatThrownBy(() -> JsonTree.parse(new byte[JsonTree.MAX_BYTES + 1]))
                .hasMessageContaining("larger than " + JsonTree.MAX_BYTES);
        assertThatThrownBy(() -> parse("1" + "0".repeat(JsonTree.MAX_NUMBER_LENGTH)))
                .hasMessage("invalid JSON: a number longer than " + JsonTree.MAX_NUMBER_LENGTH + " characters at offset 0");
        assertThat(parse("[" + "9".repeat(JsonTree.MAX_NUMBER_LENGTH) + "]")).isEqualTo(List.of(new JsonTree.Num("9".repeat(JsonTree.MAX_NUMBER_LENGTH))));
    }
}
