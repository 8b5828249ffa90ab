package io.jcontainerd.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One table of a TOML document, read with jackson-dataformat-toml's parser into plain maps, lists and
 * scalars (no databind {@code ObjectMapper}: its deserializers, built by reflection at the first read,
 * were most of the daemon's config step; README "Performance", session 9). Bounded: the document's size,
 * nesting and array lengths. Every accessor names the key with its table's path and the source file
 * when a value has the wrong type, and {@link #allow} names a key it does not know.
 */
final class TomlTable {
    /** A config file is a few hundred bytes; anything near this is not one. */
    static final int MAX_CHARS = 1 << 20;
    private static final int MAX_DEPTH = 8;
    private static final int MAX_ITEMS = 4096;
    private static final TomlFactory FACTORY = new TomlFactory();

    private final String source;
    private final String path;
    private final Map<String, Object> values;

    private TomlTable(String source, String path, Map<String, Object> values) {
        this.source = source;
        this.path = path;
        this.values = values;
    }

    /** The document's top-level table; a syntax error names the source and where. */
    static TomlTable parse(String toml, String source) {
        if (toml.length() > MAX_CHARS) {
            throw JcdException.invalidArgument("%s is %d characters long: a config file is at most %d", source, toml.length(), MAX_CHARS);
        }
        try (JsonParser p = FACTORY.createParser(toml)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return new TomlTable(source, "", Map.of());
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> top = (Map<String, Object>) read(p, source, 0);
            return new TomlTable(source, "", top);
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s is not valid TOML: %s", source, e.getMessage());
        }
    }

    private static Object read(JsonParser p, String source, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw JcdException.invalidArgument("%s nests tables or arrays more than %d deep: no config key is that deep", source, MAX_DEPTH);
        }
        JsonToken t = p.currentToken();
        switch (t) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    m.put(key, read(p, source, depth + 1));
                    bound(source, m.size());
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(read(p, source, depth + 1));
                    bound(source, l.size());
                }
                return l;
            }
            case VALUE_STRING -> {
                return p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                // dates and times (TOML's local and offset date-times) come as their text
                return p.getText();
            }
        }
    }

    private static void bound(String source, int n) {
        if (n > MAX_ITEMS) {
            throw JcdException.invalidArgument("%s has a table or array of more than %d entries: no config key takes that many", source, MAX_ITEMS);
        }
    }

    /** Fails naming the first key of this table that is not one of {@code known}. */
    TomlTable allow(String... known) {
        List<String> names = Arrays.asList(known);
        for (String key : values.keySet()) {
            if (!names.contains(key)) {
                throw JcdException.invalidArgument("%s: unknown key %s%s: remove it or check its spelling (known: %s)",
                        source, path, key, names);
            }
        }
        return this;
    }

    /** The sub-table {@code [path.key]}, or null when absent. */
    TomlTable table(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw wrongType(key, v, "a table ([" + path + key + "])");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> table = (Map<String, Object>) m;
        return new TomlTable(source, path + key + ".", table);
    }

    /** A string; a number or boolean is taken as its text (containerd's files quote ports, or not). */
    String string(String key) {
        Object v = values.get(key);
        if (v == null || v instanceof String) {
            return (String) v;
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v instanceof BigDecimal d ? d.toPlainString() : v.toString();
        }
        throw wrongType(key, v, "a string");
    }

    Integer integer(String key) {
        Long v = longValue(key);
        if (v != null && (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE)) {
            throw JcdException.invalidArgument("%s: %s%s = %d is out of range: at most %d", source, path, key, v, Integer.MAX_VALUE);
        }
        return v == null ? null : v.intValue();
    }

    /** An integer; a string of digits is taken too. */
    Long longValue(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long) {
            return ((Number) v).longValue();
        }
        if (v instanceof BigInteger b) {
            throw JcdException.invalidArgument("%s: %s%s = %s is out of range: at most %d", source, path, key, b, Long.MAX_VALUE);
        }
        if (v instanceof String s && s.strip().matches("[+-]?[0-9]{1,18}")) {
            return Long.parseLong(s.strip());
        }
        throw wrongType(key, v, "an integer");
    }

    /** A boolean; the strings "true" and "false" are taken too. */
    Boolean bool(String key) {
        Object v = values.get(key);
        if (v == null || v instanceof Boolean) {
            return (Boolean) v;
        }
        if (v instanceof String s && (s.equals("true") || s.equals("false"))) {
            return Boolean.valueOf(s);
        }
        throw wrongType(key, v, "true or false");
    }

    /** An array of strings. */
    List<String> strings(String key) {
        Object v = values.get(key);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> l && l.stream().allMatch(e -> e instanceof String)) {
            return l.stream().map(String.class::cast).toList();
        }
        throw wrongType(key, v, "an array of strings");
    }

    private JcdException wrongType(String key, Object v, String wanted) {
        String got = v instanceof Map<?, ?> ? "a table" : v instanceof List<?> ? "an array"
                : v instanceof String s ? "\"" + (s.length() > 100 ? s.substring(0, 100) + "..." : s) + "\"" : String.valueOf(v);
        return JcdException.invalidArgument("%s: %s%s must be %s, not %s", source, path, key, wanted, got);
    }
}
