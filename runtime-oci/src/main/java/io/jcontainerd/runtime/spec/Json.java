package io.jcontainerd.runtime.spec;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader/writer (objects → LinkedHashMap, arrays → List, integers → Long or BigInteger).
 * jrunc parses config.json and state.json on every start; Jackson's databind costs ~200 ms of CPU
 * to initialise there, this costs next to nothing. Output is indented like Go's MarshalIndent.
 *
 * <p>The reader is strict RFC 8259 and bounded: only JSON's escapes, no raw control characters in
 * strings, JSON's number grammar (at most {@value #MAX_NUMBER_CHARS} characters), nesting at most
 * {@value #MAX_DEPTH} deep, documents of at most {@value #MAX_CHARS} characters. Whatever it refuses
 * is a {@link JsonSyntaxException} naming the line and column.
 */
public final class Json {
    /** Deeper than any OCI document needs; far below what would exhaust a 512 KiB thread stack. */
    public static final int MAX_DEPTH = 256;
    /** A number longer than this is refused (BigInteger parsing is quadratic in the digits). */
    public static final int MAX_NUMBER_CHARS = 400;
    /** 64 Mi characters: a config.json with a large seccomp profile is well below 1 Mi. */
    public static final int MAX_CHARS = 64 << 20;

    // The parser walks a char[]: every jrunc start parses config.json and state.json while the JIT has
    // not compiled anything yet, and an interpreted array access is one bytecode where charAt is three calls.
    private final String text;
    private final char[] s;
    private final int n;
    private int i;
    private int depth;

    private Json(String text) {
        this.text = text;
        this.s = text.toCharArray();
        this.n = s.length;
    }

    /** Parses one JSON document; throws {@link JsonSyntaxException} for anything that is not one. */
    public static Object parse(String text) {
        if (text.length() > MAX_CHARS) {
            throw new JsonSyntaxException("JSON document of " + text.length() + " characters refused: the limit is " + MAX_CHARS);
        }
        Json p = new Json(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != p.n) throw p.error("unexpected text after the document");
        return v;
    }

    private JsonSyntaxException error(String what) {
        int line = 1, col = 1;
        for (int k = 0; k < Math.min(i, n); k++) {
            if (s[k] == '\n') { line++; col = 1; } else col++;
        }
        return new JsonSyntaxException("invalid JSON: " + what + " at line " + line + " column " + col);
    }

    /** JSON's whitespace: space, tab, line feed, carriage return. */
    private void ws() {
        while (i < n) {
            char c = s[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
            i++;
        }
    }

    private Object value() {
        if (i >= n) throw error("unexpected end of input");
        char c = s[i];
        return switch (c) {
            case '{', '[' -> {
                if (++depth > MAX_DEPTH) throw error("objects and arrays nested deeper than " + MAX_DEPTH);
                Object v = c == '{' ? object() : array();
                depth--;
                yield v;
            }
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character " + describe(c));
            }
        };
    }

    private Object literal(String word, Object v) {
        if (!text.startsWith(word, i)) throw error("expected " + word);
        i += word.length();
        return v;
    }

    private Map<String, Object> object() {
        Map<String, Object> m = new LinkedHashMap<>();
        i++;
        ws();
        if (i < n && s[i] == '}') { i++; return m; }
        while (true) {
            ws();
            if (i >= n || s[i] != '"') throw error("expected a field name");
            String k = string();
            ws();
            if (i >= n || s[i] != ':') throw error("expected ':'");
            i++;
            ws();
            m.put(k, value());
            ws();
            if (i >= n) throw error("unexpected end of input");
            char c = s[i++];
            if (c == '}') return m;
            if (c != ',') throw error("expected ',' or '}'");
        }
    }

    private List<Object> array() {
        List<Object> l = new ArrayList<>();
        i++;
        ws();
        if (i < n && s[i] == ']') { i++; return l; }
        while (true) {
            ws();
            l.add(value());
            ws();
            if (i >= n) throw error("unexpected end of input");
            char c = s[i++];
            if (c == ']') return l;
            if (c != ',') throw error("expected ',' or ']'");
        }
    }

    private String string() {
        int start = ++i;
        while (i < n) {
            char c = s[i];
            if (c == '"') return new String(s, start, i++ - start); // no escapes: one copy
            if (c == '\\' || c < 0x20) break;
            i++;
        }
        StringBuilder b = new StringBuilder().append(s, start, i - start);
        while (true) {
            if (i >= n) throw error("unterminated string");
            char c = s[i++];
            if (c == '"') return b.toString();
            if (c < 0x20) { i--; throw error("control character " + describe(c) + " in a string (write it as \\u00" + HEX[c >> 4] + HEX[c & 0xf] + ")"); }
            if (c != '\\') { b.append(c); continue; }
            if (i >= n) throw error("unterminated string");
            char e = s[i++];
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    int v = 0;
                    for (int k = 0; k < 4; k++) {
                        int d = i < n ? hex(s[i]) : -1;
                        if (d < 0) throw error("\\u needs four hex digits");
                        v = v << 4 | d;
                        i++;
                    }
                    b.append((char) v);
                }
                default -> { i--; throw error("unknown escape \\" + describe(e) + " (JSON has \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)"); }
            }
        }
    }

    /** JSON's grammar: -?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)? */
    private Number number() {
        int start = i;
        if (s[i] == '-') i++;
        if (i < n && s[i] == '0') i++;
        else if (!digits()) throw error("a number needs a digit after '-'");
        boolean fraction = false;
        if (i < n && s[i] == '.') {
            i++;
            if (!digits()) throw error("a number needs a digit after '.'");
            fraction = true;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            if (i < n && (s[i] == '+' || s[i] == '-')) i++;
            if (!digits()) throw error("a number needs a digit in its exponent");
            fraction = true;
        }
        if (i - start > MAX_NUMBER_CHARS) {
            i = start;
            throw error("a number of more than " + MAX_NUMBER_CHARS + " characters");
        }
        String num = text.substring(start, i);
        try {
            if (fraction) return new BigDecimal(num);
            if (num.length() <= 18) return Long.parseLong(num); // 18 characters always fit in a long
            BigInteger b = new BigInteger(num);
            return b.bitLength() < 64 ? (Number) b.longValue() : b;
        } catch (NumberFormatException | ArithmeticException e) {
            i = start;
            throw error("bad number " + num);
        }
    }

    private boolean digits() {
        int from = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
        return i > from;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    private static String describe(char c) {
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }

    // writing

    public static String write(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, "");
        return b.toString();
    }

    /** One line, as Go's json.Encoder writes (runc's list --format json, ps, events). */
    public static String compact(Object v) {
        StringBuilder b = new StringBuilder();
        write(b, v, null);
        return b.toString();
    }

    /**
     * An instanceof chain, not a pattern switch: a type switch is linked through an invokedynamic the
     * AOT cache does not hold, so every jrunc start would generate its class (a few ms).
     */
    @SuppressWarnings("unchecked")
    private static void write(StringBuilder b, Object v, String indent) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) { b.append("{}"); return; }
            b.append(indent == null ? "{" : "{\n");
            int n = 0;
            for (var e : ((Map<String, Object>) m).entrySet()) {
                if (indent != null) b.append(indent).append("  ");
                quote(b, e.getKey());
                b.append(indent == null ? ":" : ": ");
                write(b, e.getValue(), indent == null ? null : indent + "  ");
                b.append(++n < m.size() ? "," : "").append(indent == null ? "" : "\n");
            }
            if (indent != null) b.append(indent);
            b.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) { b.append("[]"); return; }
            b.append(indent == null ? "[" : "[\n");
            for (int k = 0; k < l.size(); k++) {
                if (indent != null) b.append(indent).append("  ");
                write(b, l.get(k), indent == null ? null : indent + "  ");
                b.append(k + 1 < l.size() ? "," : "").append(indent == null ? "" : "\n");
            }
            if (indent != null) b.append(indent);
            b.append(']');
        } else if (v instanceof String str) {
            quote(b, str);
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String str) {
        b.append('"');
        char[] cs = str.toCharArray();
        int run = 0, len = cs.length;
        for (int k = 0; k < len; k++) {
            char c = cs[k];
            if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') continue;
            b.append(cs, run, k - run);
            run = k + 1;
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]); // all below 0x100
            }
        }
        b.append(cs, run, len - run).append('"');
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();
}
