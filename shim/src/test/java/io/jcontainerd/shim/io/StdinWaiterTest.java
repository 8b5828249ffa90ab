package io.jcontainerd.shim.io;

import io.jcontainerd.shim.linux.ShimSyscalls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class StdinWaiterTest {
    private final ShimSyscalls sys = ShimSyscalls.linux();

    @Test
    void runsTheActionOnlyOnceTheClientWritesOrHangsUp(@TempDir Path dir) throws Exception {
        Path written = fifo(dir, "written");
        Path hungUp = fifo(dir, "hung-up");
        Path neverOpened = fifo(dir, "never-opened");
        BlockingQueue<Integer> ready = new ArrayBlockingQueue<>(3);
        StdinWaiter waiter = StdinWaiter.shared(sys);
        int writtenFd = sys.open(written.toString(), ShimSyscalls.O_RDONLY | ShimSyscalls.O_NONBLOCK, 0);
        int hungUpFd = sys.open(hungUp.toString(), ShimSyscalls.O_RDONLY | ShimSyscalls.O_NONBLOCK, 0);
        int neverFd = sys.open(neverOpened.toString(), ShimSyscalls.O_RDONLY | ShimSyscalls.O_NONBLOCK, 0);
        try {
            waiter.await(writtenFd, ready::add);
            waiter.await(hungUpFd, ready::add);
            waiter.await(neverFd, ready::add);

            try (OutputStream client = Files.newOutputStream(written)) {
                client.write('x');
            }
            assertThat(ready.poll(10, TimeUnit.SECONDS)).isEqualTo(writtenFd);
            Files.newOutputStream(hungUp).close();
            assertThat(ready.poll(10, TimeUnit.SECONDS)).isEqualTo(hungUpFd);
            assertThat(ready.poll(300, TimeUnit.MILLISECONDS)).as("a FIFO nobody opened is not ready").isNull();

            assertThat(waiter.cancel(neverFd)).isTrue();
            assertThat(waiter.cancel(writtenFd)).as("its action ran: not waiting any more").isFalse();
            Files.newOutputStream(neverOpened).close();
            assertThat(ready.poll(300, TimeUnit.MILLISECONDS)).as("cancelled").isNull();
        } finally {
            sys.close(writtenFd);
            sys.close(hungUpFd);
            sys.close(neverFd);
        }
    }

    private static Path fifo(Path dir, String name) throws Exception {
        Path path = dir.resolve(name);
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).as("mkfifo " + path).isZero();
        return path;
    }
}
