package io.jcontainerd.supervisor.pull;

import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.ContentStore;
import io.jcontainerd.content.store.ContentWriter;
import io.jcontainerd.content.store.Info;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.content.store.ReaderAt;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.supervisor.content.ContentInfo;
import io.jcontainerd.supervisor.content.NamespacedContentStore;
import io.jcontainerd.supervisor.content.NamespacedWriter;
import io.jcontainerd.config.filters.Filter;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * One namespace of the daemon's content, seen through the backend contract the {@code ImagePuller}
 * writes into: every blob it commits gets the namespace's record, and every blob it commits or
 * finds present is held by the pull's lease until the image record and the GC labels protect it.
 * {@code onCommit} hears of each commit, so the unpacker can start on a blob the moment it is verified.
 */
final class NamespaceContentView implements ContentStore {
    private final NamespacedContentStore content;
    private final String ns;
    private final String lease;
    private final Consumer<Digest> onCommit;

    NamespaceContentView(NamespacedContentStore content, String ns, String lease, Consumer<Digest> onCommit) {
        this.content = content;
        this.ns = ns;
        this.lease = lease;
        this.onCommit = onCommit;
    }

    @Override
    public ReaderAt readerAt(Digest digest) {
        return content.readerAt(ns, digest);
    }

    @Override
    public InputStream open(Digest digest, long offset) {
        content.info(ns, digest);
        return content.backend().open(digest, offset);
    }

    /** The blob's info; a blob found present is leased to the pull from here on (the puller then skips its download). */
    @Override
    public Info info(Digest digest) {
        ContentInfo i = content.findLeased(ns, digest, lease)
                .orElseThrow(() -> JcdException.notFound("content %s in namespace %s: not found", digest, ns));
        return new Info(i.digest(), i.size(), i.createdAt(), i.updatedAt());
    }

    @Override
    public ContentWriter writer(String ref, long total, Digest expected) {
        return new Writer(content.writer(ns, ref, total, expected, Optional.of(lease)));
    }

    @Override
    public void walk(Consumer<Info> visitor) {
        content.walk(ns, Filter.ALWAYS, i -> visitor.accept(new Info(i.digest(), i.size(), i.createdAt(), i.updatedAt())));
    }

    @Override
    public void delete(Digest digest) {
        content.delete(ns, digest);
    }

    @Override
    public List<IngestStatus> listStatuses() {
        return content.listStatuses(ns, Filter.ALWAYS);
    }

    @Override
    public IngestStatus status(String ref) {
        return content.status(ns, ref);
    }

    @Override
    public void abort(String ref) {
        content.abort(ns, ref);
    }

    /** A namespaced writer as the backend's writer type; commit records the blob and announces it. */
    private final class Writer implements ContentWriter {
        private final NamespacedWriter w;

        Writer(NamespacedWriter w) {
            this.w = w;
        }

        @Override
        public String ref() {
            return w.ref();
        }

        @Override
        public long offset() {
            return w.offset();
        }

        @Override
        public void write(ByteBuffer data) {
            w.write(data);
        }

        @Override
        public Digest digest() {
            return w.digest();
        }

        @Override
        public IngestStatus status() {
            return w.status();
        }

        @Override
        public void truncate(long size) {
            w.truncate(size);
        }

        @Override
        public Digest commit(long size, Digest expected) {
            Digest d = w.commit(size, expected, Map.of()).digest();
            onCommit.accept(d);
            return d;
        }

        @Override
        public OutputStream asOutputStream() {
            return new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[]{(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    w.write(ByteBuffer.wrap(b, off, len));
                }

                @Override
                public void close() {
                    w.close();
                }
            };
        }

        @Override
        public void close() {
            w.close();
        }
    }
}
