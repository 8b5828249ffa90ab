package io.jcontainerd.proto;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.util.Optional;

/**
 * The request headers containerd's clients send: the namespace a call is scoped to and the
 * lease that protects what it creates.
 */
public final class Namespaces {

    /** Scope of a call, e.g. {@code default}, {@code moby}, {@code k8s.io}. */
    public static final Metadata.Key<String> NAMESPACE_HEADER =
            Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);

    /** Lease id that resources created by the call are attached to (GC protection). */
    public static final Metadata.Key<String> LEASE_HEADER =
            Metadata.Key.of("containerd-lease", Metadata.ASCII_STRING_MARSHALLER);

    /** The namespace clients use when none is configured. */
    public static final String DEFAULT_NAMESPACE = "default";

    private Namespaces() {}

    /** The namespace a request names; the first value wins when several were sent. */
    public static Optional<String> namespaceOf(Metadata headers) {
        return first(headers, NAMESPACE_HEADER);
    }

    /** The lease a request runs under, if any. */
    public static Optional<String> leaseOf(Metadata headers) {
        return first(headers, LEASE_HEADER);
    }

    /** Client side: send {@code namespace} with every call made through the channel. */
    public static ClientInterceptor namespaceInterceptor(String namespace) {
        Metadata headers = new Metadata();
        headers.put(NAMESPACE_HEADER, namespace);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    /** Client side: send {@code namespace} and {@code leaseId} with every call. */
    public static ClientInterceptor namespaceAndLeaseInterceptor(String namespace, String leaseId) {
        Metadata headers = new Metadata();
        headers.put(NAMESPACE_HEADER, namespace);
        headers.put(LEASE_HEADER, leaseId);
        return MetadataUtils.newAttachHeadersInterceptor(headers);
    }

    private static Optional<String> first(Metadata headers, Metadata.Key<String> key) {
        Iterable<String> values = headers.getAll(key);
        if (values == null) {
            return Optional.empty();
        }
        for (String value : values) {
            if (!value.isEmpty()) {
                return Optional.of(value);
            }
        }
        return Optional.empty();
    }
}
