package io.jcontainerd.supervisor.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Identifiers;
import io.jcontainerd.proto.Namespaces;

import java.util.Optional;

/**
 * Carries the per-call headers containerd clients send: {@code containerd-namespace} and
 * {@code containerd-lease}. The interceptor only copies them into the gRPC context; a service
 * that needs a namespace calls {@link #namespace()}, which fails as containerd does when the
 * header is missing.
 */
public final class RequestContext implements ServerInterceptor {
    private static final Context.Key<String> NAMESPACE = Context.key("containerd-namespace");
    private static final Context.Key<String> LEASE = Context.key("containerd-lease");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                       ServerCallHandler<Q, R> next) {
        Context ctx = Context.current()
                .withValue(NAMESPACE, Namespaces.namespaceOf(headers).orElse(null))
                .withValue(LEASE, Namespaces.leaseOf(headers).orElse(null));
        return Contexts.interceptCall(ctx, call, headers, next);
    }

    /** The caller's namespace; FailedPrecondition "namespace is required" if none was sent. */
    public static String namespace() {
        String ns = NAMESPACE.get();
        if (ns == null || ns.isEmpty()) {
            throw JcdException.failedPrecondition(
                    "namespace is required: send the containerd-namespace header (jctr and ctr use -n, default \"default\")");
        }
        return Identifiers.validate("namespace", ns);
    }

    /** The caller's namespace if it sent one. */
    public static Optional<String> optionalNamespace() {
        return Optional.ofNullable(NAMESPACE.get()).filter(s -> !s.isEmpty());
    }

    /** The lease the call's new resources belong to, if any. */
    public static Optional<String> lease() {
        return Optional.ofNullable(LEASE.get()).filter(s -> !s.isEmpty());
    }
}
