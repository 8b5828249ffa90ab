package io.jcontainerd.runtime.spec;


public record Root(String path, boolean readonly) {}
