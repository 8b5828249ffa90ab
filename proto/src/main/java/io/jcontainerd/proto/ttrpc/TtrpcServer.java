package io.jcontainerd.proto.ttrpc;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.jcontainerd.api.ttrpc.Request;
import io.jcontainerd.api.ttrpc.Response;
import io.jcontainerd.api.ttrpc.Status;
import io.jcontainerd.proto.StatusCodes;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A ttrpc server on a unix socket (mode 0600: only root talks to it), on the JDK's own unix sockets:
 * no HTTP/2, no netty. Each connection has one reader thread; each request runs on a virtual thread
 * of its own (a Wait blocks for as long as its process runs) and its answer is written whole under
 * the connection's write lock. Only unary calls are served; a streaming request gets UNIMPLEMENTED.
 */
public final class TtrpcServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TtrpcServer.class.getName());

    private final Path path;
    private final ServerSocketChannel listener;
    private final Map<String, TtrpcService> services;
    private final Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Object calls = new Object();
    private int running;

    private TtrpcServer(Path path, ServerSocketChannel listener, Map<String, TtrpcService> services) {
        this.path = path;
        this.listener = listener;
        this.services = services;
    }

    /**
     * Serves {@code services} on a new socket at {@code path}. The socket is bound under a temporary
     * name, made 0600 and then renamed into place, so a client never finds a socket nobody serves or
     * one that anybody may open. A file already at {@code path} is replaced: the caller has made sure
     * nobody serves it.
     */
    public static TtrpcServer start(Path path, List<TtrpcService> services) throws IOException {
        Map<String, TtrpcService> byName = new HashMap<>();
        for (TtrpcService service : services) {
            if (byName.putIfAbsent(service.name(), service) != null) {
                throw new IllegalArgumentException("service " + service.name() + " is registered twice");
            }
        }
        Path bound = path.resolveSibling("." + path.getFileName() + ".starting");
        Files.createDirectories(path.getParent());
        Files.deleteIfExists(bound);
        ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            listener.bind(UnixDomainSocketAddress.of(bound));
            Files.setPosixFilePermissions(bound, PosixFilePermissions.fromString("rw-------"));
            Files.move(bound, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            listener.close();
            Files.deleteIfExists(bound);
            throw e;
        }
        TtrpcServer server = new TtrpcServer(path, listener, byName);
        Thread.ofVirtual().name("ttrpc-accept " + path.getFileName()).start(server::acceptLoop);
        return server;
    }

    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel connection;
            try {
                connection = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LOG.log(Level.WARNING, "ttrpc server on " + path + " stops accepting: " + e.getMessage(), e);
                return;
            }
            connections.add(connection);
            Thread.ofVirtual().name("ttrpc-connection " + path.getFileName()).start(() -> serve(connection));
        }
    }

    private void serve(SocketChannel connection) {
        ReentrantLock writeLock = new ReentrantLock();
        try (connection) {
            Frame frame;
            while ((frame = Frame.read(connection)) != null) {
                // Data frames belong to streams, which no method here opens: there is nothing to give them to.
                if (frame.type() == Frame.REQUEST) {
                    Frame request = frame;
                    synchronized (calls) {
                        running++;
                    }
                    Thread.ofVirtual().name("ttrpc-call").start(() -> answer(connection, writeLock, request));
                }
            }
        } catch (IOException e) {
            if (connections.contains(connection)) {
                LOG.fine(() -> "ttrpc connection on " + path + " ended: " + e.getMessage());
            }
        } finally {
            connections.remove(connection);
        }
    }

    private void answer(SocketChannel connection, ReentrantLock writeLock, Frame frame) {
        TtrpcCall call = null;
        try {
            Response response;
            try {
                Request request = Request.parseFrom(frame.data());
                call = new TtrpcCall(request.getMetadataList());
                response = dispatch(request, frame.flags(), call);
            } catch (InvalidProtocolBufferException e) {
                response = error(StatusCodes.INVALID_ARGUMENT, "the ttrpc request is not a valid ttrpc.Request message: " + e.getMessage());
            }
            writeLock.lock();
            try {
                new Frame(frame.streamId(), Frame.RESPONSE, (byte) 0, response.toByteArray()).write(connection);
            } catch (IOException e) {
                LOG.fine(() -> "cannot answer on " + path + ": " + e.getMessage());
            } finally {
                writeLock.unlock();
            }
            if (call != null) {
                for (Runnable action : call.afterResponse()) {
                    action.run();
                }
            }
        } finally {
            synchronized (calls) {
                running--;
                calls.notifyAll();
            }
        }
    }

    private Response dispatch(Request request, byte flags, TtrpcCall call) {
        String name = request.getService() + "/" + request.getMethod();
        if (flags != 0) {
            return error(StatusCodes.UNIMPLEMENTED, name + ": streaming calls are not served on " + path);
        }
        TtrpcService service = services.get(request.getService());
        TtrpcService.Method<?> method = service == null ? null : service.method(request.getMethod());
        if (method == null) {
            return error(StatusCodes.UNIMPLEMENTED, name + " is not served on " + path);
        }
        Message answer;
        try {
            answer = method.invoke(request.getPayload().toByteArray(), call);
        } catch (InvalidProtocolBufferException e) {
            return error(StatusCodes.INVALID_ARGUMENT, "the request of " + name + " is not a valid message: " + e.getMessage());
        } catch (Exception e) {
            return error(StatusCodes.codeOf(e), StatusCodes.messageOf(e));
        } catch (Error e) {
            LOG.log(Level.SEVERE, name + " failed on " + path, e);
            return error(StatusCodes.UNKNOWN, name + " failed: " + e);
        }
        if (answer.getSerializedSize() > Frame.MAX_DATA - 16) {
            return error(StatusCodes.UNKNOWN, "the answer of " + name + " (" + answer.getSerializedSize()
                    + " bytes) is more than a ttrpc frame may carry");
        }
        return Response.newBuilder().setPayload(answer.toByteString()).build();
    }

    private static Response error(int code, String message) {
        return Response.newBuilder().setStatus(Status.newBuilder().setCode(code).setMessage(message)).build();
    }

    /**
     * Stops accepting and removes the socket, gives running calls up to {@code graceMillis} to answer,
     * then closes every connection (a call still running loses its answer; its client sees the
     * connection end).
     */
    public void stop(long graceMillis) {
        try {
            listener.close();
        } catch (IOException e) {
            LOG.fine(() -> "closing the ttrpc listener on " + path + ": " + e.getMessage());
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.fine(() -> "cannot remove " + path + ": " + e.getMessage());
        }
        long deadline = System.nanoTime() + graceMillis * 1_000_000;
        synchronized (calls) {
            long left;
            while (running > 0 && (left = deadline - System.nanoTime()) > 0) {
                try {
                    calls.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        for (SocketChannel connection : List.copyOf(connections)) {
            connections.remove(connection);
            try {
                connection.close();
            } catch (IOException e) {
                LOG.fine(() -> "closing a ttrpc connection on " + path + ": " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        stop(0);
    }
}
