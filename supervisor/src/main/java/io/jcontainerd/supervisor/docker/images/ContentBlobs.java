package io.jcontainerd.supervisor.docker.images;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.supervisor.docker.ChunkedInputStream;
import io.jcontainerd.supervisor.docker.Containerd;

import java.io.IOException;
import java.io.InputStream;

/** A blob of the facade's namespace read through the Content service, as a stream (docker save, docker push). */
final class ContentBlobs {
    private ContentBlobs() {
    }

    /** The blob's bytes; closing the stream before its end cancels the read. */
    static InputStream open(Containerd cd, String digest) {
        Context.CancellableContext call = Context.current().withCancellation();
        java.util.Iterator<io.jcontainerd.api.services.content.v1.ReadContentResponse> it;
        Context previous = call.attach();
        try {
            it = cd.content().read(ReadContentRequest.newBuilder().setDigest(digest).build());
        } finally {
            call.detach(previous);
        }
        return new ChunkedInputStream() {
            @Override
            protected byte[] nextChunk() throws IOException {
                try {
                    return it.hasNext() ? it.next().getData().toByteArray() : null;
                } catch (StatusRuntimeException e) {
                    throw new IOException("cannot read blob " + digest + ": " + e.getStatus().getDescription(), e);
                }
            }

            @Override
            public void close() {
                call.cancel(null);
            }
        };
    }
}
