package io.jcontainerd.ctr.run;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the image manifests, indexes and configs {@code jctr run} needs into maps (insertion order),
 * lists, strings, {@link Num} and booleans with jackson-core's streaming parser, and reads members of
 * them the way Jackson's {@code path(..).asText()} did. Not databind: setting up an {@code ObjectMapper}
 * cost about a third of a run's CPU (README "Performance", follow-up 7); the streaming parser alone is
 * cheap. Bounded: at most {@value #MAX_BYTES} bytes, {@value #MAX_DEPTH} levels and numbers of
 * {@value #MAX_NUMBER_LENGTH} characters; anything else is an {@link IllegalArgumentException} saying
 * what and where.
 */
final class JsonTree {
    static final int MAX_BYTES = 16 << 20;
    static final int MAX_DEPTH = 64;
    static final int MAX_NUMBER_LENGTH = 400;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build()) // the document's size is checked before it is parsed (parse)
            .build();

    /** A JSON number, kept as written (jctr only ever shows it as text). */
    record Num(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private JsonTree() {
    }

    static Object parse(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw new IllegalArgumentException("document of " + json.length + " bytes is larger than " + MAX_BYTES);
        }
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                throw new IllegalArgumentException("invalid JSON: no value at offset 0");
            }
            Object v = value(p);
            if (p.nextToken() != null) {
                throw invalid("text after the document", p.currentTokenLocation());
            }
            return v;
        } catch (JsonProcessingException e) {
            throw invalid(e.getOriginalMessage(), e.getLocation());
        } catch (IOException e) {
            throw new IllegalArgumentException("invalid JSON: " + e.getMessage() + " at offset 0", e);
        }
    }

    private static IllegalArgumentException invalid(String what, JsonLocation at) {
        long offset = at == null ? -1 : at.getByteOffset();
        return new IllegalArgumentException("invalid JSON: " + what + " at offset " + (offset < 0 ? "unknown" : offset));
    }

    /** The value at the parser's current token (nesting is bounded by the factory's constraints). */
    private static Object value(JsonParser p) throws IOException {
        return switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    p.nextToken();
                    m.put(name, value(p));
                }
                yield m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                yield l;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> new Num(p.getText());
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> null;
            default -> throw invalid("unexpected " + p.currentToken(), p.currentTokenLocation());
        };
    }

    /** A member of an object; null when {@code node} is not an object or has no such member. */
    static Object member(Object node, String name) {
        return node instanceof Map<?, ?> m ? m.get(name) : null;
    }

    /** As Jackson's {@code asText(dflt)}: a string, a number's or boolean's text, "" for an object or array, dflt when absent or null. */
    static String text(Object node, String dflt) {
        if (node == null) {
            return dflt;
        }
        if (node instanceof Map<?, ?> || node instanceof List<?>) {
            return "";
        }
        return node.toString();
    }

    /** The elements of an array as text ({@link #text} with ""); none when {@code node} is not an array. */
    static List<String> texts(Object node) {
        List<String> out = new ArrayList<>();
        if (node instanceof List<?> l) {
            for (Object e : l) {
                out.add(e == null ? "null" : text(e, ""));
            }
        }
        return out;
    }
}
