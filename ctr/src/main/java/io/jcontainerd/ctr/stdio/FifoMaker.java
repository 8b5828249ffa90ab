package io.jcontainerd.ctr.stdio;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Makes FIFOs of mode 0600, as {@code mkfifo -m 0600} does (mknod(2) with S_IFIFO, then the mode set exactly,
 * whatever the umask). The call is the JDK's own {@code sun.nio.fs.UnixNativeDispatcher.mknod} when bin/jctr opens
 * that package to jctr ({@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED}): a {@code mkfifo} process cost a
 * {@code run} ~15 ms of CPU (ProcessBuilder, its System.Logger, jspawnhelper, two execs), and FFM's first downcall
 * costs more than the process (README "Performance", sessions 11 and 12). In a JVM that does not open it (jctr
 * embedded, unit tests), a {@code mkfifo} process makes them as before.
 */
final class FifoMaker {
    private static final int S_IFIFO = 0010000;
    private static final Set<PosixFilePermission> MODE_0600 =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final Method MKNOD = mknod();

    private FifoMaker() {
    }

    /** Whether FIFOs are made by mknod(2) in this JVM rather than by a {@code mkfifo} process. */
    static boolean direct() {
        return MKNOD != null;
    }

    /** Makes each path a FIFO of mode 0600; an IOException naming the path and the reason if one cannot be made. */
    static void make(List<Path> paths) throws IOException {
        if (MKNOD == null) {
            mkfifoProcess(paths);
            return;
        }
        for (Path p : paths) {
            try {
                MKNOD.invoke(null, p, S_IFIFO | 0600, 0L);
            } catch (InvocationTargetException e) {
                // sun.nio.fs.UnixException: its message is strerror(errno), as mkfifo's
                throw new IOException("mkfifo: cannot create fifo '" + p + "': " + e.getCause().getMessage(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new IOException("mkfifo: cannot create fifo '" + p + "': " + e, e);
            }
            Files.setPosixFilePermissions(p, MODE_0600);
        }
    }

    private static Method mknod() {
        try {
            Method m = Class.forName("sun.nio.fs.UnixNativeDispatcher")
                    .getDeclaredMethod("mknod", Class.forName("sun.nio.fs.UnixPath"), int.class, long.class);
            m.setAccessible(true);
            return m;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // not a JDK on Linux, or the package is not opened to us: the mkfifo process
            return null;
        }
    }

    static void mkfifoProcess(List<Path> paths) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("mkfifo", "-m", "0600"));
        paths.forEach(p -> cmd.add(p.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException("mkfifo failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted creating FIFOs", e);
        }
    }
}
