package io.jcontainerd.proto.ttrpc;

import java.nio.file.Path;

/**
 * Where shims forward their events, as containerd's shims do: a ttrpc socket next to the daemon's gRPC
 * socket ({@code <address>.ttrpc}) serving containerd's {@code containerd.services.events.ttrpc.v1.Events/Forward}
 * (its ForwardRequest has the same fields as events.v1's).
 */
public final class TtrpcEvents {
    public static final String SERVICE = "containerd.services.events.ttrpc.v1.Events";
    public static final String FORWARD = "Forward";

    private TtrpcEvents() {
    }

    /** The ttrpc socket of the daemon serving gRPC on {@code grpcAddress}. */
    public static Path socketFor(Path grpcAddress) {
        return grpcAddress.resolveSibling(grpcAddress.getFileName() + ".ttrpc");
    }
}
