package io.jcontainerd.shim.io;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.linux.ShimSyscalls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The unix socket a runtime's {@code --console-socket} connects to, to hand over the pty master
 * (SCM_RIGHTS). It lives in its own short temporary directory: socket paths are limited to 107
 * bytes, which a bundle path can exceed.
 */
public final class ConsoleSocket implements AutoCloseable {
    private final ShimSyscalls sys;
    private final Path dir;
    private final Path path;
    private final int fd;

    private ConsoleSocket(ShimSyscalls sys, Path dir, Path path, int fd) {
        this.sys = sys;
        this.dir = dir;
        this.path = path;
        this.fd = fd;
    }

    public static ConsoleSocket open(ShimSyscalls sys) {
        try {
            Path dir = Files.createTempDirectory("jcd-pty");
            Path path = dir.resolve("pty.sock");
            return new ConsoleSocket(sys, dir, path, sys.listenUnix(path.toString()));
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot create a console socket directory under %s: %s",
                    System.getProperty("java.io.tmpdir"), e.getMessage());
        }
    }

    public Path path() {
        return path;
    }

    /**
     * The pty master the runtime sent. Called after the runtime command returned: by then its
     * connection and message wait in the socket's queue, so nothing blocks.
     */
    public int receiveMaster() {
        int master = sys.receiveFd(fd);
        if (master < 0) {
            throw JcdException.failedPrecondition("the OCI runtime did not connect to the console socket %s: "
                    + "is terminal set in the process spec?", path);
        }
        return master;
    }

    @Override
    public void close() {
        sys.close(fd);
        try {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        } catch (IOException ignored) {
            // A leftover empty directory in /tmp is harmless.
        }
    }
}
