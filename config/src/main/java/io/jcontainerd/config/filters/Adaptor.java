package io.jcontainerd.config.filters;

import java.util.List;
import java.util.Optional;

/** Exposes an object's fields to a {@link Filter}: the value at a field path, if present. */
@FunctionalInterface
public interface Adaptor {
    Optional<String> field(List<String> path);
}
