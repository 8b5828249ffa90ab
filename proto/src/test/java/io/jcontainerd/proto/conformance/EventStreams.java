package io.jcontainerd.proto.conformance;

import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.services.events.v1.Envelope;
import io.jcontainerd.api.services.events.v1.EventsGrpc;
import io.jcontainerd.api.services.events.v1.SubscribeRequest;
import java.util.concurrent.BlockingQueue;

/** Events.Subscribe into a queue; cancel the returned context to end the stream. */
final class EventStreams {

    private EventStreams() {}

    static Context.CancellableContext subscribe(Channel channel, String filter, BlockingQueue<Envelope> into)
            throws InterruptedException {
        Context.CancellableContext context = Context.current().withCancellation();
        context.run(() -> EventsGrpc.newStub(channel)
                .subscribe(SubscribeRequest.newBuilder().addFilters(filter).build(), new StreamObserver<>() {
                    @Override public void onNext(Envelope value) { into.add(value); }
                    @Override public void onError(Throwable t) { }
                    @Override public void onCompleted() { }
                }));
        // Subscribe has no acknowledgement: give the server a moment to register the subscriber.
        Thread.sleep(300);
        return context;
    }
}
