package io.jcontainerd.snapshot;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * containerd's filter syntax applied to {@link SnapshotInfo}: {@code name==x}, {@code parent!=y},
 * {@code kind==committed}, {@code labels."a.b"~=^v}, {@code labels.present} (presence only);
 * comma-separated clauses must all hold. Several filter strings are alternatives (any may hold).
 */
public final class SnapshotFilter {

    private record Clause(List<String> field, String op, String value, Pattern regex) {
        boolean test(SnapshotInfo info) {
            Optional<String> actual = lookup(info, field);
            if (op == null) {
                return actual.isPresent();
            }
            return switch (op) {
                case "==" -> actual.map(value::equals).orElse(false);
                case "!=" -> actual.map(a -> !a.equals(value)).orElse(true);
                case "~=" -> actual.map(a -> regex.matcher(a).find()).orElse(false);
                default -> throw new IllegalStateException(op);
            };
        }
    }

    private final List<List<Clause>> alternatives;

    private SnapshotFilter(List<List<Clause>> alternatives) {
        this.alternatives = alternatives;
    }

    /** Parses the filters; InvalidArgument naming the filter when one does not parse. */
    public static SnapshotFilter parse(String... filters) {
        List<List<Clause>> alternatives = new ArrayList<>();
        for (String filter : filters) {
            if (filter != null && !filter.isBlank()) {
                alternatives.add(new Parser(filter).clauses());
            }
        }
        return new SnapshotFilter(alternatives);
    }

    public boolean test(SnapshotInfo info) {
        return alternatives.isEmpty()
                || alternatives.stream().anyMatch(all -> all.stream().allMatch(c -> c.test(info)));
    }

    private static Optional<String> lookup(SnapshotInfo info, List<String> field) {
        return switch (field.getFirst()) {
            case "name" -> Optional.of(info.name());
            case "parent" -> Optional.of(info.parent());
            case "kind" -> Optional.of(info.kind().name().toLowerCase(java.util.Locale.ROOT));
            case "labels" -> field.size() < 2 ? Optional.of("") // "labels" alone: present if any
                    : Optional.ofNullable(info.labels().get(String.join(".", field.subList(1, field.size()))));
            default -> Optional.empty();
        };
    }

    /** A hand-written scanner: the grammar is small and its errors should point at a column. */
    private static final class Parser {
        private final String src;
        private int pos;

        Parser(String src) {
            this.src = src;
        }

        List<Clause> clauses() {
            List<Clause> out = new ArrayList<>();
            do {
                out.add(clause());
                skipSpace();
            } while (accept(","));
            skipSpace();
            if (pos != src.length()) {
                throw error("unexpected '" + src.charAt(pos) + "'");
            }
            return out;
        }

        private Clause clause() {
            List<String> field = new ArrayList<>();
            skipSpace();
            field.add(fieldPart());
            while (accept(".")) {
                field.add(fieldPart());
            }
            skipSpace();
            String op = null;
            for (String candidate : List.of("==", "!=", "~=")) {
                if (src.startsWith(candidate, pos)) {
                    op = candidate;
                    pos += 2;
                    break;
                }
            }
            if (op == null) {
                return new Clause(field, null, null, null);
            }
            skipSpace();
            String value = value(op.equals("~="));
            Pattern regex = null;
            if (op.equals("~=")) {
                try {
                    regex = Pattern.compile(value);
                } catch (PatternSyntaxException e) {
                    throw error("bad regular expression " + value + ": " + e.getDescription());
                }
            }
            return new Clause(field, op, value, regex);
        }

        private String fieldPart() {
            if (pos < src.length() && src.charAt(pos) == '"') {
                return quoted('"');
            }
            int start = pos;
            while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || "_-/".indexOf(src.charAt(pos)) >= 0)) {
                pos++;
            }
            if (start == pos) {
                throw error("expected a field name");
            }
            return src.substring(start, pos);
        }

        private String value(boolean regexAllowed) {
            if (pos < src.length() && src.charAt(pos) == '"') {
                return quoted('"');
            }
            if (regexAllowed && pos < src.length() && src.charAt(pos) == '/') {
                return quoted('/');
            }
            int start = pos;
            while (pos < src.length() && src.charAt(pos) != ',' && !Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
            return src.substring(start, pos);
        }

        private String quoted(char quote) {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (pos < src.length() && src.charAt(pos) != quote) {
                char c = src.charAt(pos++);
                if (c == '\\' && pos < src.length()) {
                    char next = src.charAt(pos++);
                    if (next != quote && next != '\\') {
                        sb.append('\\');
                    }
                    sb.append(next);
                } else {
                    sb.append(c);
                }
            }
            if (pos >= src.length()) {
                throw error("unterminated " + quote);
            }
            pos++;
            return sb.toString();
        }

        private boolean accept(String s) {
            if (src.startsWith(s, pos)) {
                pos += s.length();
                return true;
            }
            return false;
        }

        private void skipSpace() {
            while (pos < src.length() && Character.isWhitespace(src.charAt(pos))) {
                pos++;
            }
        }

        private JcdException error(String what) {
            return JcdException.invalidArgument("snapshot filter %s: %s at column %d; write e.g. name==x,labels.\"a.b\"~=^v",
                    src, what, pos + 1);
        }
    }
}
