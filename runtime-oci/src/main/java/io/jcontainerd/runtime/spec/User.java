package io.jcontainerd.runtime.spec;


import java.util.List;

public record User(long uid, long gid, Integer umask, List<Long> additionalGids) {
    public User {
        additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
    }
}
