package io.jcontainerd.runtime.spec;


import java.util.List;

public record Mount(String destination, String type, String source, List<String> options) {
    public Mount {
        options = options == null ? List.of() : List.copyOf(options);
    }
}
