package io.jcontainerd.ctr;

import io.jcontainerd.ctr.client.Connection;

import java.nio.file.Path;
import java.time.Duration;

/** jctr's global options, as picocli's root model or {@link ShortCommand} read them: where and how to reach the daemon. */
public record GlobalOptions(Path address, String namespace, Duration timeout, Duration connectTimeout, boolean debug) {
    public static final String ADDRESS_ENV = "CONTAINERD_ADDRESS";
    public static final String DEFAULT_ADDRESS = "/run/jcontainerd/jcontainerd.sock";
    public static final String NAMESPACE_ENV = "CONTAINERD_NAMESPACE";
    public static final String DEFAULT_NAMESPACE = "default";

    /** Opens a connection with these options; the caller closes it. */
    public Connection connect() {
        return Connection.open(address, namespace, timeout, connectTimeout);
    }
}
