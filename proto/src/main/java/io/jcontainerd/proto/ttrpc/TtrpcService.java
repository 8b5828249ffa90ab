package io.jcontainerd.proto.ttrpc;

import com.google.protobuf.Message;
import com.google.protobuf.Parser;

import java.util.LinkedHashMap;
import java.util.Map;

/** The unary methods a {@link TtrpcServer} serves under one service name, e.g. {@code containerd.services.events.ttrpc.v1.Events}. */
public final class TtrpcService {

    /** One method's work: the decoded request in, the answer out; a thrown error becomes the answer's status. */
    @FunctionalInterface
    public interface Handler<Q extends Message, R extends Message> {
        R handle(Q request, TtrpcCall call) throws Exception;
    }

    record Method<Q extends Message>(Parser<Q> parser, Handler<Q, ? extends Message> handler) {
        Message invoke(byte[] payload, TtrpcCall call) throws Exception {
            return handler.handle(parser.parseFrom(payload), call);
        }
    }

    private final String name;
    private final Map<String, Method<?>> methods = new LinkedHashMap<>();

    public TtrpcService(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public <Q extends Message, R extends Message> TtrpcService unary(String method, Parser<Q> parser, Handler<Q, R> handler) {
        if (methods.putIfAbsent(method, new Method<>(parser, handler)) != null) {
            throw new IllegalArgumentException("method " + name + "/" + method + " is registered twice");
        }
        return this;
    }

    Method<?> method(String method) {
        return methods.get(method);
    }
}
