package io.jcontainerd.supervisor.docker;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Path;

/** mkfifo(3) through libc: the daemon's one mkfifo (the facade's and the CRI's stdio FIFOs for the shim), mode 0600 less the umask. */
public final class Fifos {
    private interface LibC extends Library {
        int mkfifo(String path, int mode);
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    private Fifos() {
    }

    public static void make(Path path) throws IOException {
        if (LIBC.mkfifo(path.toString(), 0600) != 0) {
            int errno = Native.getLastError();
            throw new IOException("mkfifo " + path + " failed: errno " + errno + (errno == 17 ? " (it exists already)" : ""));
        }
    }
}
