package io.jcontainerd.runtime.spec;


import java.util.List;

/** The five capability sets, as CAP_* names. */
public record Capabilities(List<String> bounding, List<String> effective, List<String> inheritable,
                           List<String> permitted, List<String> ambient) {
    public static final Capabilities NONE = new Capabilities(null, null, null, null, null);

    public Capabilities {
        bounding = bounding == null ? List.of() : List.copyOf(bounding);
        effective = effective == null ? List.of() : List.copyOf(effective);
        inheritable = inheritable == null ? List.of() : List.copyOf(inheritable);
        permitted = permitted == null ? List.of() : List.copyOf(permitted);
        ambient = ambient == null ? List.of() : List.copyOf(ambient);
    }
}
