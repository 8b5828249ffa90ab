package io.jcontainerd.runtime.spec;

import io.jcontainerd.runtime.JruncException;

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
 */
public final class Json {
    // The parser walks a char[]: every jrunc start parses config.json and state.json while the JIT has
    // not compiled anything yet, and an interpreted array access is one bytecode where charAt is three calls.
    private final String text;
    private final char[] s;
    private final int n;
    private int i;

    private Json(String text) {
        this.text = text;
        this.s = text.toCharArray();
        this.n = s.length;
    }

    public static Object parse(String text) {
        Json p = new Json(text);
        p.ws();
        Object v = p.value();
        p.ws();
        if (p.i != p.n) throw p.error("unexpected text after the document");
        return v;
    }

    private JruncException error(String what) {
        int line = 1, col = 1;
        for (int k = 0; k < Math.min(i, n); k++) {
            if (s[k] == '\n') { line++; col = 1; } else col++;
        }
        return JruncException.invalidArgument("%s at line %d column %d", what, line, col);
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
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number();
                throw error("unexpected character '" + c + "'");
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
            if (c == '\\') break;
            i++;
        }
        StringBuilder b = new StringBuilder().append(s, start, i - start);
        while (true) {
            if (i >= n) throw error("unterminated string");
            char c = s[i++];
            if (c == '"') return b.toString();
            if (c != '\\') { b.append(c); continue; }
            if (i >= n) throw error("unterminated string");
            char e = s[i++];
            switch (e) {
                case 'n' -> b.append('\n');
                case 't' -> b.append('\t');
                case 'r' -> b.append('\r');
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'u' -> {
                    if (i + 4 > n) throw error("bad \\u escape");
                    b.append((char) Integer.parseInt(text, i, i + 4, 16));
                    i += 4;
                }
                default -> b.append(e);
            }
        }
    }

    private Number number() {
        int start = i;
        if (s[i] == '-') i++;
        boolean fraction = false;
        while (i < n) {
            char c = s[i];
            if (c >= '0' && c <= '9') i++;
            else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { fraction = true; i++; }
            else break;
        }
        String num = text.substring(start, i);
        try {
            if (fraction) return new BigDecimal(num);
            if (num.length() <= 18) return Long.parseLong(num); // 18 characters always fit in a long
            BigInteger b = new BigInteger(num);
            return b.bitLength() < 64 ? (Number) b.longValue() : b;
        } catch (NumberFormatException e) {
            throw error("bad number " + num);
        }
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
