package io.jcontainerd.config.filters;

import java.util.List;
import java.util.regex.Pattern;

/**
 * A parsed containerd filter. A request's filter list matches when any of its strings matches
 * ({@link AnyOf}); a string matches when all its comma-separated selectors match ({@link AllOf}).
 */
public sealed interface Filter {
    boolean matches(Adaptor object);

    /** Matches everything: an empty list or an empty string. */
    Filter ALWAYS = new AllOf(List.of());

    record AnyOf(List<Filter> alternatives) implements Filter {
        public boolean matches(Adaptor object) {
            return alternatives.isEmpty() || alternatives.stream().anyMatch(f -> f.matches(object));
        }
    }

    record AllOf(List<Selector> selectors) implements Filter {
        public boolean matches(Adaptor object) {
            return selectors.stream().allMatch(s -> s.matches(object));
        }
    }

    /** {@code fieldpath}, {@code fieldpath==value}, {@code fieldpath!=value} or {@code fieldpath~=regexp}. */
    record Selector(List<String> fieldPath, Operator operator, String value, Pattern pattern) implements Filter {
        public boolean matches(Adaptor object) {
            var v = object.field(fieldPath);
            return switch (operator) {
                case PRESENT -> v.isPresent() && !v.get().isEmpty();
                case EQUAL -> v.isPresent() && v.get().equals(value);
                case NOT_EQUAL -> !v.orElse("").equals(value);
                case MATCHES -> pattern.matcher(v.orElse("")).find();
            };
        }
    }

    enum Operator { PRESENT, EQUAL, NOT_EQUAL, MATCHES }
}
