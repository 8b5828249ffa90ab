package io.jcontainerd.content.registry;

/** What a registry host may be used for, as in hosts.toml's {@code capabilities}. */
public enum HostCapability {
    /** Fetch blobs and manifests by digest. */
    PULL,
    /** Turn a tag into a digest. Mirrors usually lack it: tags there may be stale. */
    RESOLVE,
    PUSH;

    static HostCapability parse(String s, java.nio.file.Path file) {
        return switch (s) {
            case "pull" -> PULL;
            case "resolve" -> RESOLVE;
            case "push" -> PUSH;
            default -> throw io.jcontainerd.config.errdefs.JcdException.invalidArgument(
                    "%s: unknown capability \"%s\": use pull, resolve or push", file, s);
        };
    }
}
