package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.Context;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.EventsGrpc;
import io.jcontainerd.api.services.events.v1.ForwardRequest;
import io.jcontainerd.api.services.events.v1.PublishRequest;
import io.jcontainerd.api.services.events.v1.SubscribeRequest;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.supervisor.events.Event;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;

/** containerd.services.events.v1.Events over the {@link EventExchange}. */
public final class EventsService extends EventsGrpc.EventsImplBase {
    private final EventExchange exchange;

    public EventsService(EventExchange exchange) {
        this.exchange = exchange;
    }

    @Override
    public void publish(PublishRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            exchange.publish(RequestContext.namespace(), r.getTopic(), r.getEvent());
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void forward(ForwardRequest r, StreamObserver<Empty> o) {
        Rpc.unary(o, () -> {
            exchange.forward(Event.forwarded(r.getEnvelope()));
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void subscribe(SubscribeRequest r, StreamObserver<Envelope> observer) {
        Filter filter;
        try {
            filter = FilterParser.parseAll(r.getFiltersList());
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        var call = (ServerCallStreamObserver<Envelope>) observer;
        EventExchange.Subscription sub = exchange.subscribe(filter);
        call.setOnCancelHandler(sub::close);
        // Calls run on virtual threads: blocking here costs one cheap thread per subscriber.
        try (sub) {
            // The call's Context is cancelled promptly when the client goes; isCancelled() lags behind.
            Context ctx = Context.current();
            while (!call.isCancelled() && !ctx.isCancelled()) {
                Event e = sub.next(500);
                if (e != null) {
                    Envelope.Builder b = Envelope.newBuilder().setNamespace(e.namespace()).setTopic(e.topic()).setEvent(e.payload());
                    Timestamps.setIfKnown(e.timestamp(), b::setTimestamp);
                    call.onNext(b.build());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            if (!call.isCancelled()) {
                call.onError(GrpcErrors.toStatus(e));
            }
        }
    }
}
