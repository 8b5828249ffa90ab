package io.jcontainerd.supervisor.services;

import com.google.protobuf.Empty;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.jcontainerd.api.events.ContentDelete;
import io.jcontainerd.api.services.content.v1.AbortRequest;
import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.DeleteContentRequest;
import io.jcontainerd.api.services.content.v1.InfoRequest;
import io.jcontainerd.api.services.content.v1.InfoResponse;
import io.jcontainerd.api.services.content.v1.ListContentRequest;
import io.jcontainerd.api.services.content.v1.ListContentResponse;
import io.jcontainerd.api.services.content.v1.ListStatusesRequest;
import io.jcontainerd.api.services.content.v1.ListStatusesResponse;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.api.services.content.v1.ReadContentResponse;
import io.jcontainerd.api.services.content.v1.StatusRequest;
import io.jcontainerd.api.services.content.v1.StatusResponse;
import io.jcontainerd.api.services.content.v1.UpdateRequest;
import io.jcontainerd.api.services.content.v1.UpdateResponse;
import io.jcontainerd.api.services.content.v1.WriteContentRequest;
import io.jcontainerd.api.services.content.v1.WriteContentResponse;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.ReaderAt;
import io.jcontainerd.proto.GrpcErrors;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.events.EventExchange;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.gc.GarbageCollector;
import io.jcontainerd.supervisor.grpc.RequestContext;
import io.jcontainerd.supervisor.grpc.Rpc;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** containerd.services.content.v1.Content over {@link NamespacedContentStore}. */
public final class ContentService extends ContentGrpc.ContentImplBase {
    static final int LIST_BLOCK = 100;

    private final NamespacedContentStore store;
    private final GarbageCollector gc;
    private final EventExchange events;

    public ContentService(NamespacedContentStore store, GarbageCollector gc, EventExchange events) {
        this.store = store;
        this.gc = gc;
        this.events = events;
    }

    @Override
    public void info(InfoRequest req, StreamObserver<InfoResponse> observer) {
        Rpc.unary(observer, () -> InfoResponse.newBuilder()
                .setInfo(ContentProtos.info(store.info(RequestContext.namespace(), ContentProtos.digest(req.getDigest()))))
                .build());
    }

    @Override
    public void update(UpdateRequest req, StreamObserver<UpdateResponse> observer) {
        Rpc.unary(observer, () -> UpdateResponse.newBuilder()
                .setInfo(ContentProtos.info(store.update(RequestContext.namespace(), ContentProtos.digest(req.getInfo().getDigest()),
                        req.getInfo().getLabelsMap(), req.getUpdateMask().getPathsList())))
                .build());
    }

    @Override
    public void list(ListContentRequest req, StreamObserver<ListContentResponse> observer) {
        try {
            String ns = RequestContext.namespace();
            var filter = FilterParser.parseAll(req.getFiltersList());
            List<ContentInfo> block = new ArrayList<>();
            store.walk(ns, filter, info -> {
                block.add(info);
                if (block.size() == LIST_BLOCK) {
                    observer.onNext(listBlock(block));
                    block.clear();
                }
            });
            if (!block.isEmpty()) {
                observer.onNext(listBlock(block));
            }
            observer.onCompleted();
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
        }
    }

    private static ListContentResponse listBlock(List<ContentInfo> block) {
        ListContentResponse.Builder b = ListContentResponse.newBuilder();
        block.forEach(i -> b.addInfo(ContentProtos.info(i)));
        return b.build();
    }

    @Override
    public void delete(DeleteContentRequest req, StreamObserver<Empty> observer) {
        Rpc.unary(observer, () -> {
            String ns = RequestContext.namespace();
            Digest d = ContentProtos.digest(req.getDigest());
            store.delete(ns, d);
            events.publish(ns, "/content/delete", ContentDelete.newBuilder().setDigest(d.toString()).build());
            gc.scheduleSoon();
            return Empty.getDefaultInstance();
        });
    }

    @Override
    public void read(ReadContentRequest req, StreamObserver<ReadContentResponse> observer) {
        ServerCallStreamObserver<ReadContentResponse> call = (ServerCallStreamObserver<ReadContentResponse>) observer;
        ReaderAt reader;
        long start;
        long end;
        try {
            String ns = RequestContext.namespace();
            Digest d = ContentProtos.digest(req.getDigest());
            reader = store.readerAt(ns, d);
            long size = reader.size();
            start = Math.max(0, req.getOffset());
            if (start > size) {
                closeQuietly(reader);
                throw GrpcErrors.outOfRange("read @%d is beyond the end of content %s (%d bytes)", start, d, size);
            }
            end = req.getSize() <= 0 ? size : Math.min(size, start + req.getSize());
        } catch (RuntimeException e) {
            observer.onError(GrpcErrors.toStatus(e));
            return;
        }
        new ContentReadStream(call, reader, start, end).start();
    }

    private static void closeQuietly(ReaderAt reader) {
        try {
            reader.close();
        } catch (IOException ignored) {
            // the request is refused anyway
        }
    }

    @Override
    public void status(StatusRequest req, StreamObserver<StatusResponse> observer) {
        Rpc.unary(observer, () -> StatusResponse.newBuilder()
                .setStatus(ContentProtos.status(store.status(RequestContext.namespace(), req.getRef())))
                .build());
    }

    @Override
    public void listStatuses(ListStatusesRequest req, StreamObserver<ListStatusesResponse> observer) {
        Rpc.unary(observer, () -> {
            ListStatusesResponse.Builder b = ListStatusesResponse.newBuilder();
            store.listStatuses(RequestContext.namespace(), FilterParser.parseAll(req.getFiltersList()))
                    .forEach(s -> b.addStatuses(ContentProtos.status(s)));
            return b.build();
        });
    }

    @Override
    public StreamObserver<WriteContentRequest> write(StreamObserver<WriteContentResponse> observer) {
        return new ContentWriteSession(store, observer);
    }

    @Override
    public void abort(AbortRequest req, StreamObserver<Empty> observer) {
        Rpc.unary(observer, () -> {
            store.abort(RequestContext.namespace(), req.getRef());
            return Empty.getDefaultInstance();
        });
    }
}
