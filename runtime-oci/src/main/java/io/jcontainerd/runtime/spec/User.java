package io.jcontainerd.runtime.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record User(long uid, long gid, Integer umask, List<Long> additionalGids) {
    public User {
        additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
    }
}
