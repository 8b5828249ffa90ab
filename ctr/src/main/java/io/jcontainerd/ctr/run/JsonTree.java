package io.jcontainerd.ctr.run;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the image manifests, indexes and configs {@code jctr run} needs (RFC 8259 JSON) into maps
 * (insertion order), lists, strings, {@link Num} and booleans, and reads members of them the way
 * Jackson's {@code path(..).asText()} did; without Jackson, whose set-up cost about a third of a run's
 * CPU (README "Performance", follow-up 7). Bounded: at most {@value #MAX_BYTES} bytes and
 * {@value #MAX_DEPTH} levels; anything else is an {@link IllegalArgumentException} saying what and where.
 */
final class JsonTree {
    static final int MAX_BYTES = 16 << 20;
    static final int MAX_DEPTH = 64;

    /** A JSON number, kept as written (jctr only ever shows it as text). */
    record Num(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final String s;
    private int i;
    private int depth;

    private JsonTree(String s) {
        this.s = s;
    }

    static Object parse(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw new IllegalArgumentException("document of " + json.length + " bytes is larger than " + MAX_BYTES);
        }
        JsonTree p = new JsonTree(new String(json, StandardCharsets.UTF_8));
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != p.s.length()) {
            throw p.error("text after the document");
        }
        return v;
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

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("invalid JSON: " + what + " at offset " + i);
    }

    private void ws() {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            i++;
        }
    }

    private Object value() {
        if (i >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(i);
        if (c == '{') {
            return object();
        } else if (c == '[') {
            return array();
        } else if (c == '"') {
            return string();
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            return number();
        } else if (s.startsWith("true", i)) {
            i += 4;
            return Boolean.TRUE;
        } else if (s.startsWith("false", i)) {
            i += 5;
            return Boolean.FALSE;
        } else if (s.startsWith("null", i)) {
            i += 4;
            return null;
        }
        throw error("unexpected '" + c + "'");
    }

    private void enter() {
        if (++depth > MAX_DEPTH) {
            throw error("nested deeper than " + MAX_DEPTH);
        }
        i++;
        ws();
    }

    private Map<String, Object> object() {
        enter();
        Map<String, Object> m = new LinkedHashMap<>();
        if (i < s.length() && s.charAt(i) == '}') {
            i++;
            depth--;
            return m;
        }
        while (true) {
            if (i >= s.length() || s.charAt(i) != '"') {
                throw error("expected a member name");
            }
            String k = string();
            ws();
            expect(':');
            ws();
            m.put(k, value());
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                ws();
            } else {
                expect('}');
                depth--;
                return m;
            }
        }
    }

    private List<Object> array() {
        enter();
        List<Object> l = new ArrayList<>();
        if (i < s.length() && s.charAt(i) == ']') {
            i++;
            depth--;
            return l;
        }
        while (true) {
            l.add(value());
            ws();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                ws();
            } else {
                expect(']');
                depth--;
                return l;
            }
        }
    }

    private void expect(char c) {
        if (i >= s.length() || s.charAt(i) != c) {
            throw error("expected '" + c + "'");
        }
        i++;
    }

    private String string() {
        i++; // the opening quote
        StringBuilder b = null;
        int run = i;
        while (true) {
            if (i >= s.length()) {
                throw error("unterminated string");
            }
            char c = s.charAt(i);
            if (c == '"') {
                String tail = s.substring(run, i++);
                return b == null ? tail : b.append(tail).toString();
            }
            if (c < 0x20) {
                throw error("control character in a string");
            }
            if (c != '\\') {
                i++;
                continue;
            }
            if (b == null) {
                b = new StringBuilder();
            }
            b.append(s, run, i);
            if (i + 1 >= s.length()) {
                throw error("unterminated escape");
            }
            char e = s.charAt(i + 1);
            i += 2;
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (i + 4 > s.length()) {
                        throw error("short \\u escape");
                    }
                    int cp = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = Character.digit(s.charAt(i + k), 16);
                        if (d < 0) {
                            throw error("bad \\u escape");
                        }
                        cp = cp * 16 + d;
                    }
                    i += 4;
                    b.append((char) cp);
                }
                default -> {
                    i -= 2;
                    throw error("bad escape '\\" + e + "'");
                }
            }
            run = i;
        }
    }

    private Num number() {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        int intStart = i;
        digits();
        if (i == intStart || (s.charAt(intStart) == '0' && i - intStart > 1)) {
            throw error("bad number");
        }
        if (i < s.length() && s.charAt(i) == '.') {
            i++;
            if (digits() == 0) {
                throw error("bad number");
            }
        }
        if (i < s.length() && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < s.length() && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            if (digits() == 0) {
                throw error("bad number");
            }
        }
        if (i - start > 400) {
            throw error("number longer than 400 characters");
        }
        return new Num(s.substring(start, i));
    }

    private int digits() {
        int start = i;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        return i - start;
    }
}
