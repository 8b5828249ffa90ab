package io.jcontainerd.runtime.spec;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

@JsonIgnoreProperties(ignoreUnknown = true)
public record Root(String path, boolean readonly) {}
