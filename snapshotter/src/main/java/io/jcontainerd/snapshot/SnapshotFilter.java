package io.jcontainerd.snapshot;

import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.config.filters.FilterParser;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * containerd's filter syntax ({@link FilterParser}) applied to {@link SnapshotInfo}: fields
 * {@code name}, {@code parent}, {@code kind} ({@code active}, {@code committed}, {@code view}) and
 * {@code labels.<key>}, as containerd's snapshot adaptor names them. Several filter strings are
 * alternatives (any may hold).
 */
public final class SnapshotFilter {

    private final Filter filter;

    private SnapshotFilter(Filter filter) {
        this.filter = filter;
    }

    /** Parses the filters; InvalidArgument naming the filter when one does not parse. */
    public static SnapshotFilter parse(String... filters) {
        return new SnapshotFilter(FilterParser.parseAll(Arrays.asList(filters)));
    }

    public boolean test(SnapshotInfo info) {
        return filter.matches(path -> field(info, path));
    }

    private static Optional<String> field(SnapshotInfo info, List<String> path) {
        return switch (path.getFirst()) {
            case "name" -> Optional.of(info.name());
            case "parent" -> Optional.of(info.parent());
            case "kind" -> Optional.of(info.kind().name().toLowerCase(Locale.ROOT));
            case "labels" -> path.size() < 2 ? Optional.empty()
                    : Optional.ofNullable(info.labels().get(String.join(".", path.subList(1, path.size()))));
            default -> Optional.empty();
        };
    }
}
