package io.jcontainerd.ctr.run;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the image manifests, indexes and configs {@code jctr run} needs into maps (insertion order, a repeated
 * name keeping its last value), lists, strings, {@link Num} and booleans (RFC 8259), and reads members of them
 * the way Jackson's {@code path(..).asText()} did. A parser of its own rather than jackson-core's: the first
 * jackson parser initialises {@code BigDecimal} and {@code BigInteger} for its number constants, ~20 ms of
 * interpreted CPU in a JVM that runs once (README "Performance", session 11). Bounded: at most
 * {@value #MAX_BYTES} bytes, {@value #MAX_DEPTH} levels and numbers of {@value #MAX_NUMBER_LENGTH} characters;
 * anything else, invalid UTF-8 included, is an {@link IllegalArgumentException} saying what and at which
 * character offset.
 */
final class JsonTree {
    static final int MAX_BYTES = 16 << 20;
    static final int MAX_DEPTH = 64;
    static final int MAX_NUMBER_LENGTH = 400;

    /** A JSON number, kept as written (jctr only ever shows it as text). */
    record Num(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final String text;
    private int at;

    private JsonTree(String text) {
        this.text = text;
        this.at = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? 1 : 0; // a UTF-8 byte order mark, as Jackson skips it
    }

    static Object parse(byte[] json) {
        if (json.length > MAX_BYTES) {
            throw new IllegalArgumentException("document of " + json.length + " bytes is larger than " + MAX_BYTES);
        }
        JsonTree p = new JsonTree(utf8(json));
        Object v = p.value(0);
        p.skipSpace();
        if (p.at < p.text.length()) {
            throw p.invalid("text after the document");
        }
        return v;
    }

    private static String utf8(byte[] json) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input
        ByteBuffer in = ByteBuffer.wrap(json);
        CharBuffer out = CharBuffer.allocate(json.length); // never more chars than bytes
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            throw new IllegalArgumentException("invalid JSON: not UTF-8 at byte offset " + in.position());
        }
        return out.flip().toString();
    }

    private IllegalArgumentException invalid(String what) {
        return new IllegalArgumentException("invalid JSON: " + what + " at offset " + at);
    }

    private void skipSpace() {
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            at++;
        }
    }

    /** The next character after white space, not consumed; -1 at the end. */
    private int peek() {
        skipSpace();
        return at < text.length() ? text.charAt(at) : -1;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw invalid(at < text.length() ? "'" + c + "' expected, not '" + text.charAt(at) + "'" : "'" + c + "' expected, not the end");
        }
        at++;
    }

    /** The value at the next non-space character; {@code depth} containers enclose it. */
    private Object value(int depth) {
        int c = peek();
        switch (c) {
            case '{' -> {
                nest(depth);
                at++;
                Map<String, Object> m = new LinkedHashMap<>();
                if (peek() == '}') {
                    at++;
                    return m;
                }
                do {
                    if (peek() != '"') {
                        throw invalid("a member name expected");
                    }
                    String name = string();
                    expect(':');
                    m.put(name, value(depth + 1));
                } while (separator('}'));
                return m;
            }
            case '[' -> {
                nest(depth);
                at++;
                List<Object> l = new ArrayList<>();
                if (peek() == ']') {
                    at++;
                    return l;
                }
                do {
                    l.add(value(depth + 1));
                } while (separator(']'));
                return l;
            }
            case '"' -> {
                return string();
            }
            case 't' -> {
                return literal("true", Boolean.TRUE);
            }
            case 'f' -> {
                return literal("false", Boolean.FALSE);
            }
            case 'n' -> {
                return literal("null", null);
            }
            case -1 -> throw invalid("a value expected, not the end");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw invalid("unexpected '" + (char) c + "'");
            }
        }
    }

    private void nest(int depth) {
        if (depth + 1 > MAX_DEPTH) {
            throw invalid("nesting deeper than " + MAX_DEPTH + " levels");
        }
    }

    /** After a member or element: true at ',', false at {@code end} (consumed), an error otherwise. */
    private boolean separator(char end) {
        int c = peek();
        if (c == ',') {
            at++;
            return true;
        }
        if (c == end) {
            at++;
            return false;
        }
        throw invalid("',' or '" + end + "' expected");
    }

    private Object literal(String word, Object value) {
        if (!text.startsWith(word, at)) {
            throw invalid("unexpected '" + text.charAt(at) + "'");
        }
        at += word.length();
        return value;
    }

    /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?, as written. */
    private Num number() {
        int start = at;
        if (text.charAt(at) == '-') {
            at++;
        }
        if (at < text.length() && text.charAt(at) == '0') {
            at++;
        } else if (digits() == 0) {
            throw invalid("a digit expected");
        }
        if (at < text.length() && text.charAt(at) == '.') {
            at++;
            if (digits() == 0) {
                throw invalid("a digit expected after '.'");
            }
        }
        if (at < text.length() && (text.charAt(at) == 'e' || text.charAt(at) == 'E')) {
            at++;
            if (at < text.length() && (text.charAt(at) == '+' || text.charAt(at) == '-')) {
                at++;
            }
            if (digits() == 0) {
                throw invalid("a digit expected in the exponent");
            }
        }
        if (at - start > MAX_NUMBER_LENGTH) {
            at = start;
            throw invalid("a number longer than " + MAX_NUMBER_LENGTH + " characters");
        }
        return new Num(text.substring(start, at));
    }

    private int digits() {
        int start = at;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at - start;
    }

    /** An ASCII hex digit's value, -1 for any other character. */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** The string starting at the '"' at {@code at}, escapes resolved. */
    private String string() {
        at++;
        StringBuilder b = null;
        int run = at;
        while (at < text.length()) {
            char c = text.charAt(at);
            if (c == '"') {
                String s = b == null ? text.substring(run, at) : b.append(text, run, at).toString();
                at++;
                return s;
            }
            if (c < 0x20) {
                throw invalid("a control character in a string");
            }
            if (c != '\\') {
                at++;
                continue;
            }
            if (b == null) {
                b = new StringBuilder();
            }
            b.append(text, run, at);
            at++;
            if (at >= text.length()) {
                break;
            }
            char e = text.charAt(at);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (at + 4 >= text.length()) {
                        throw invalid("four hex digits expected after \\u");
                    }
                    int code = 0;
                    for (int i = 1; i <= 4; i++) {
                        int d = hex(text.charAt(at + i));
                        if (d < 0) {
                            throw invalid("four hex digits expected after \\u");
                        }
                        code = code * 16 + d;
                    }
                    b.append((char) code);
                    at += 4;
                }
                default -> throw invalid("an unknown escape \\" + e);
            }
            at++;
            run = at;
        }
        throw invalid("an unterminated string");
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
