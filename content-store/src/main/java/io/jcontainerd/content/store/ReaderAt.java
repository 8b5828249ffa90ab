package io.jcontainerd.content.store;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Random access to one committed blob (containerd's content.ReaderAt). */
public interface ReaderAt extends AutoCloseable {

    /** Reads into dst from the given position; returns the bytes read, or -1 at the end. */
    int readAt(ByteBuffer dst, long position) throws IOException;

    long size();

    @Override
    void close() throws IOException;
}
