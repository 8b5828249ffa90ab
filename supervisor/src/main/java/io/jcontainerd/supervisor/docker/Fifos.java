package io.jcontainerd.supervisor.docker;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Path;

/** mkfifo(3) through libc: the facade's one system call of its own (stdio FIFOs for the shim). */
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
            throw new IOException("mkfifo " + path + " failed: errno " + errno);
        }
    }
}
