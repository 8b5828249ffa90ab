package io.jcontainerd.supervisor.docker.images;

import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
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
        return new InputStream() {
            @Override
            public void close() {
                call.cancel(null);
            }

            private byte[] cur = new byte[0];
            private int pos;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (pos >= cur.length) {
                    try {
                        if (!it.hasNext()) {
                            return -1;
                        }
                        cur = it.next().getData().toByteArray();
                    } catch (StatusRuntimeException e) {
                        throw new IOException("cannot read blob " + digest + ": " + e.getStatus().getDescription(), e);
                    }
                    pos = 0;
                }
                int n = Math.min(len, cur.length - pos);
                System.arraycopy(cur, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }
}
