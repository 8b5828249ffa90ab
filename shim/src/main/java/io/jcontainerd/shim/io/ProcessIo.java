package io.jcontainerd.shim.io;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.shim.linux.ShimSyscalls;
import io.jcontainerd.shim.linux.SyscallException;
import io.jcontainerd.shim.runtime.OciRuntime;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The stdio plumbing of one process (containerd's rules, see the API reference §6.8).
 *
 * <p>Without a terminal the process writes straight into the client's stdout/stderr FIFOs (no copy
 * thread, no buffering in the shim): the shim opens them read-write, so the open never blocks and
 * the process never gets EPIPE after the client went away, and closes its handle when the process
 * exits so that readers see EOF. stdin goes through a pipe the shim feeds from the FIFO, because
 * CloseIO must be able to close the process's stdin.
 *
 * <p>With a terminal the runtime sends the pty master; one thread copies it to stdout and another
 * copies stdin into it.
 */
public final class ProcessIo {
    private static final int BUFFER = 32 * 1024;

    private final ShimSyscalls sys;
    private final Stdio stdio;
    private final StdioTarget stdinTarget;
    private final Object lock = new Object();
    private final int devNull;
    private int stdout = -1;
    private int stderr = -1;
    private int childStdin = -1;
    /** Where stdin data goes: the pipe to the process, or the pty master. */
    private int stdinSink = -1;
    private int master = -1;
    private boolean stdinClosed;
    private boolean closed;
    private boolean stdinOpened;
    private boolean outputCopying;
    private Thread outputCopier;

    private ProcessIo(ShimSyscalls sys, Stdio stdio) {
        this.sys = sys;
        this.stdio = stdio;
        this.stdinTarget = StdioTarget.parse("stdin", stdio.stdin());
        this.devNull = sys.open("/dev/null", ShimSyscalls.O_RDWR, 0);
    }

    /** Opens the client's FIFOs or files; the runtime's fds are then {@link #runtimeStdio()}. */
    public static ProcessIo open(ShimSyscalls sys, Stdio stdio) {
        ProcessIo io = new ProcessIo(sys, stdio);
        try {
            io.stdout = io.openOutput(StdioTarget.parse("stdout", stdio.stdout()));
            if (!stdio.terminal()) {
                io.stderr = io.openOutput(StdioTarget.parse("stderr", stdio.stderr()));
                if (!(io.stdinTarget instanceof StdioTarget.None)) {
                    int[] pipe = sys.pipe();
                    io.childStdin = pipe[0];
                    io.stdinSink = pipe[1];
                    io.startStdinCopier();
                }
            }
            return io;
        } catch (RuntimeException e) {
            io.close(Duration.ZERO);
            throw e;
        }
    }

    public Stdio stdio() {
        return stdio;
    }

    /** The fds the runtime command gets as 0, 1, 2 (with a terminal, the pty replaces them). */
    public OciRuntime.Stdio runtimeStdio() {
        if (stdio.terminal()) {
            return new OciRuntime.Stdio(devNull, devNull, devNull);
        }
        return new OciRuntime.Stdio(childStdin >= 0 ? childStdin : devNull, stdout, stderr);
    }

    /** The runtime has passed its fds on: drop the child's end of the stdin pipe. */
    public void spawned() {
        synchronized (lock) {
            if (childStdin >= 0) {
                sys.close(childStdin);
                childStdin = -1;
            }
        }
    }

    /** Takes the pty master of a terminal process and starts copying. */
    public void attachConsole(int masterFd) {
        synchronized (lock) {
            master = masterFd;
            stdinSink = masterFd;
            outputCopying = true;
        }
        outputCopier = Thread.ofPlatform().name("pty-out").daemon().stackSize(256 * 1024).start(this::copyPtyOutput);
        if (!(stdinTarget instanceof StdioTarget.None)) {
            startStdinCopier();
        }
    }

    public void resize(int width, int height) {
        synchronized (lock) {
            if (master < 0) {
                throw JcdException.failedPrecondition(
                        "the process has no terminal (or it has exited): create it with terminal=true to resize it");
            }
            sys.setWindowSize(master, height, width);
        }
    }

    /** CloseIO(stdin): the process reads EOF (without a terminal) and no more input is copied. */
    public void closeStdin() {
        synchronized (lock) {
            stdinClosed = true;
            if (stdinSink >= 0 && stdinSink != master) {
                sys.close(stdinSink);
            }
            stdinSink = -1;
        }
        wakeStdinOpen();
    }

    /**
     * The process has exited: waits up to {@code drain} for the pty output to reach stdout, then
     * closes every handle so that the client's readers see EOF.
     */
    public void close(Duration drain) {
        Thread copier = outputCopier;
        if (copier != null) {
            try {
                copier.join(drain);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        closeStdin();
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (childStdin >= 0) {
                sys.close(childStdin);
            }
            if (!outputCopying) {
                closeOutputs();
            }
            // else: the copier still owns master and stdout and closes them when it finishes.
            sys.close(devNull);
        }
    }

    private int openOutput(StdioTarget target) {
        return switch (target) {
            case StdioTarget.None none -> sys.open("/dev/null", ShimSyscalls.O_WRONLY, 0);
            case StdioTarget.Fifo fifo -> sys.open(fifo.path().toString(), ShimSyscalls.O_RDWR, 0);
            case StdioTarget.File file -> sys.open(file.path().toString(),
                    ShimSyscalls.O_WRONLY | ShimSyscalls.O_APPEND | ShimSyscalls.O_CREAT, 0640);
        };
    }

    private void startStdinCopier() {
        Thread.ofPlatform().name("stdin").daemon().stackSize(256 * 1024).start(this::copyStdin);
    }

    private void copyStdin() {
        Path path = switch (stdinTarget) {
            case StdioTarget.Fifo fifo -> fifo.path();
            case StdioTarget.File file -> file.path();
            case StdioTarget.None none -> null;
        };
        int in;
        try {
            // Blocks until the client opens its write end, as containerd's shim does.
            in = sys.open(path.toString(), ShimSyscalls.O_RDONLY, 0);
        } catch (SyscallException e) {
            System.err.println("jcontainerd-shim: cannot open stdin " + path + ": " + e.getMessage());
            closeStdin();
            return;
        }
        synchronized (lock) {
            stdinOpened = true;
        }
        byte[] buffer = new byte[BUFFER];
        try {
            while (true) {
                int n = sys.read(in, buffer, buffer.length);
                if (n <= 0) {
                    break;
                }
                synchronized (lock) {
                    if (stdinClosed || stdinSink < 0) {
                        break;
                    }
                    sys.write(stdinSink, buffer, n);
                }
            }
        } catch (SyscallException e) {
            // The process went away (EPIPE) or the FIFO broke: nothing left to feed.
        } finally {
            sys.close(in);
        }
        if (!stdio.terminal()) {
            closeStdin();
        }
    }

    /** A stdin copier still blocked in open() is released by opening the FIFO's write end once. */
    private void wakeStdinOpen() {
        boolean opened;
        synchronized (lock) {
            opened = stdinOpened;
        }
        if (!opened && stdinTarget instanceof StdioTarget.Fifo fifo) {
            try {
                sys.close(sys.open(fifo.path().toString(), ShimSyscalls.O_WRONLY | ShimSyscalls.O_NONBLOCK, 0));
            } catch (SyscallException e) {
                // ENXIO: no reader is waiting any more.
            }
        }
    }

    private void copyPtyOutput() {
        byte[] buffer = new byte[BUFFER];
        try {
            while (true) {
                int n = sys.read(master, buffer, buffer.length);
                if (n <= 0) {
                    break; // EIO: every slave handle is closed.
                }
                sys.write(stdout, buffer, n);
            }
        } catch (SyscallException e) {
            // stdout broke: the output has nowhere to go.
        }
        synchronized (lock) {
            outputCopying = false;
            if (closed) {
                closeOutputs();
            }
        }
    }

    private void closeOutputs() {
        if (master >= 0) {
            sys.close(master);
            master = -1;
        }
        if (stdout >= 0) {
            sys.close(stdout);
            stdout = -1;
        }
        if (stderr >= 0) {
            sys.close(stderr);
            stderr = -1;
        }
    }
}
