package io.jcontainerd.supervisor.cri;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;

/**
 * The write end of a running container's stdin FIFO, shared by its attached clients (opened at
 * the first write: the shim waits for it in open). Closed for good once closed: a container
 * created with stdin_once reads EOF when its first attached client detaches.
 */
final class ContainerStdin {
    private final Path fifo;
    private OutputStream out;
    private boolean closed;

    ContainerStdin(Path fifo) {
        this.fifo = fifo;
    }

    synchronized void write(byte[] data) throws IOException {
        if (closed) {
            throw new IOException("the container's stdin was closed (stdin_once)");
        }
        if (out == null) {
            out = new FileOutputStream(fifo.toFile());
        }
        out.write(data);
        out.flush();
    }

    synchronized boolean isClosed() {
        return closed;
    }

    synchronized void close() {
        closed = true;
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the reader went away
            }
        }
    }
}
