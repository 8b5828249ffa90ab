package io.jcontainerd.config.filters;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Parses containerd's filter syntax (containerd/filters): selectors joined by commas,
 * {@code fieldpath[op value]}, fields separated by '.', each an identifier or a double-quoted
 * string; operators {@code ==}, {@code !=}, {@code ~=}; values unquoted, double-quoted, or
 * (after {@code ~=} only) quoted with {@code /.../} or {@code |...|}. Errors are InvalidArgument
 * and point at the offending position.
 */
public final class FilterParser {
    private final String input;
    private int pos;

    private FilterParser(String input) {
        this.input = input;
    }

    /** The filter for a request's list of filter strings (any may match; empty matches all). */
    public static Filter parseAll(List<String> filters) {
        List<Filter> alternatives = new ArrayList<>();
        for (String f : filters) {
            Filter parsed = parse(f);
            if (parsed == Filter.ALWAYS) {
                return Filter.ALWAYS;
            }
            alternatives.add(parsed);
        }
        return alternatives.isEmpty() ? Filter.ALWAYS : new Filter.AnyOf(alternatives);
    }

    public static Filter parse(String filter) {
        if (filter == null || filter.isBlank()) {
            return Filter.ALWAYS;
        }
        return new FilterParser(filter).filter();
    }

    private Filter filter() {
        List<Filter.Selector> selectors = new ArrayList<>();
        do {
            selectors.add(selector());
            skipSpace();
        } while (consume(','));
        skipSpace();
        if (pos < input.length()) {
            throw error("unexpected '" + input.charAt(pos) + "'");
        }
        return new Filter.AllOf(selectors);
    }

    private Filter.Selector selector() {
        List<String> path = new ArrayList<>();
        skipSpace();
        path.add(field());
        while (consume('.')) {
            path.add(field());
        }
        skipSpace();
        if (pos >= input.length() || input.charAt(pos) == ',') {
            return new Filter.Selector(path, Filter.Operator.PRESENT, null, null);
        }
        Filter.Operator op;
        if (input.startsWith("==", pos)) {
            op = Filter.Operator.EQUAL;
        } else if (input.startsWith("!=", pos)) {
            op = Filter.Operator.NOT_EQUAL;
        } else if (input.startsWith("~=", pos)) {
            op = Filter.Operator.MATCHES;
        } else {
            throw error("expected an operator (==, != or ~=)");
        }
        pos += 2;
        skipSpace();
        String value = value(op == Filter.Operator.MATCHES);
        Pattern pattern = null;
        if (op == Filter.Operator.MATCHES) {
            try {
                pattern = Pattern.compile(value);
            } catch (PatternSyntaxException e) {
                throw error("invalid regular expression " + value + ": " + e.getDescription());
            }
        }
        return new Filter.Selector(path, op, value, pattern);
    }

    private String field() {
        skipSpace();
        if (pos < input.length() && input.charAt(pos) == '"') {
            return quoted('"');
        }
        int start = pos;
        while (pos < input.length() && isFieldChar(input.charAt(pos), pos == start)) {
            pos++;
        }
        if (start == pos) {
            throw error("expected a field name");
        }
        return input.substring(start, pos);
    }

    private String value(boolean regexp) {
        if (pos >= input.length()) {
            throw error("expected a value");
        }
        char c = input.charAt(pos);
        if (c == '"') {
            return quoted('"');
        }
        if (c == '/' || c == '|') {
            if (!regexp) {
                throw error("'" + c + "' quotes a value only after ~=; quote the value with \" instead");
            }
            return quoted(c);
        }
        int start = pos;
        while (pos < input.length() && !Character.isWhitespace(input.charAt(pos)) && input.charAt(pos) != ',') {
            pos++;
        }
        return input.substring(start, pos);
    }

    private String quoted(char quote) {
        int start = pos;
        pos++;
        StringBuilder sb = new StringBuilder();
        while (pos < input.length()) {
            char c = input.charAt(pos++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\\' && pos < input.length()) {
                char e = input.charAt(pos++);
                if (quote != '"') {
                    // In /re/ and |re| only the quote itself is escaped; keep other escapes for the regexp.
                    if (e != quote) {
                        sb.append('\\');
                    }
                    sb.append(e);
                    continue;
                }
                sb.append(switch (e) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'r' -> '\r';
                    default -> e;
                });
            } else {
                sb.append(c);
            }
        }
        pos = start;
        throw error("unterminated quoted string");
    }

    private static boolean isFieldChar(char c, boolean first) {
        return Character.isLetter(c) || c == '_' || (!first && Character.isDigit(c));
    }

    private boolean consume(char c) {
        skipSpace();
        if (pos < input.length() && input.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipSpace() {
        while (pos < input.length() && Character.isWhitespace(input.charAt(pos))) {
            pos++;
        }
    }

    private JcdException error(String what) {
        return JcdException.invalidArgument("filter \"%s\" at position %d: %s", input, pos, what);
    }
}
