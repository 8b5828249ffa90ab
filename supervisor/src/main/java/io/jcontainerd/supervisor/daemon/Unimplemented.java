package io.jcontainerd.supervisor.daemon;

import io.grpc.ServiceDescriptor;
import io.jcontainerd.api.services.streaming.v1.StreamingGrpc;
import io.jcontainerd.api.services.transfer.v1.TransferGrpc;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The containerd v1 services declared but not served yet, by containerd's plugin id. Each issue
 * that implements one removes it from here and registers the real service in {@link ServiceCatalog}.
 */
final class Unimplemented {
    static final Map<String, ServiceDescriptor> SERVICES = new LinkedHashMap<>();

    static {
        SERVICES.put("transfer", TransferGrpc.getServiceDescriptor());
        SERVICES.put("streaming", StreamingGrpc.getServiceDescriptor());
    }

    private Unimplemented() {
    }
}
