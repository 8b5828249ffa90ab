package io.jcontainerd.runtime.init;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;

/**
 * A spare init stage (born in new pid, uts, ipc and network namespaces, see container.SpareInit) moving
 * into the uts, ipc or network namespaces of the create that took it (the host's, or ones joined by
 * path), each given as an fd the runtime opened on the host and checked. Namespaces are per thread, so
 * two threads join them:
 * <ul>
 *   <li>this one, the exec thread: the container's program inherits its namespaces at execve, and the
 *   mounts it makes (sysfs, mqueue), the hostname and the sysctls it sets are those of its own
 *   namespaces;</li>
 *   <li>the thread-group leader, which is what /proc/&lt;pid&gt;/ns/* shows until the execve (prestart
 *   hooks, CNI, `ip netns identify` read /proc/&lt;pid&gt;/ns/net). It is the Java launcher's primordial
 *   thread, parked in pthread_join while the JVM's main thread runs, and runs no Java code: it is sent
 *   a signal whose handler is a few machine instructions (setns, then write the result to a pipe, for
 *   each namespace), async-signal-safe and outside the JVM.</li>
 * </ul>
 * The JVM's other threads stay in the birth namespaces until the execve ends them; the kernel frees
 * them then (nothing else holds them: no fd of them is opened, the network one has only a loopback).
 */
final class NamespaceJoin {
    private static final int SIGUSR1 = 10;
    private static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    private static final int SA_RESTART = 0x10000000;
    /** glibc's struct sigaction on x86_64: handler, 128-byte mask, int flags (padded), restorer. */
    private static final int SIGACTION_BYTES = 152, SA_MASK = 8, SA_FLAGS = 136;
    private static final int PAGE = 4096;
    private static final long NS_GET_NSTYPE = 0xb703L;
    /** What a spare may move into: its pid namespace is fixed at birth (and the mount one is the plan's). */
    private static final int JOINABLE = LinuxConstants.CLONE_NEWNET | LinuxConstants.CLONE_NEWUTS | LinuxConstants.CLONE_NEWIPC;
    /** How long the leader may take to run its handler (it does at once unless the machine is starved). */
    private static final int LEADER_TIMEOUT_MS = 30_000;

    private NamespaceJoin() {}

    /** This thread and the thread-group leader into the namespaces {@code nsFds} (network, uts or ipc); the fds stay open. */
    static void join(int[] nsFds) {
        LibC c = LibC.INSTANCE;
        int[] types = new int[nsFds.length];
        for (int i = 0; i < nsFds.length; i++) {
            types[i] = c.ioctl(nsFds[i], NS_GET_NSTYPE, null);
            if (types[i] < 0 || Integer.bitCount(types[i]) != 1 || (types[i] & JOINABLE) == 0) {
                throw JruncException.system("the runtime sent fd %d as a namespace to join; it is none of network, uts or ipc (NS_GET_NSTYPE: %d, errno %d)",
                        nsFds[i], types[i], Native.getLastError());
            }
            if (c.setns(nsFds[i], types[i]) < 0) {
                throw JruncException.system("cannot join the namespace (type 0x%x) the runtime sent: setns: errno %d", types[i], Native.getLastError());
            }
        }
        if (c.getpid() != 1 || !"amd64".equals(System.getProperty("os.arch"))) {
            // the runtime hands namespaces only to a spare, PID 1 of its pid namespace, on x86_64
            throw JruncException.system("namespaces are joined from the thread-group leader only by an init stage on x86_64");
        }
        joinLeader(nsFds, types);
    }

    /** Runs setns(nsFds[i], types[i]) on the thread-group leader (tid 1 here) through a SIGUSR1 handler. */
    private static void joinLeader(int[] nsFds, int[] types) {
        LibC c = LibC.INSTANCE;
        int[] pipe = new int[2];
        if (c.pipe2(pipe, LinuxConstants.O_CLOEXEC) < 0) throw JruncException.system("pipe2: errno %d", Native.getLastError());
        Memory old = new Memory(SIGACTION_BYTES);
        boolean installed = false;
        try {
            Pointer code = handler(nsFds, types, pipe[1]);
            Memory act = new Memory(SIGACTION_BYTES);
            act.clear();
            act.setPointer(0, code);
            c.sigfillset(act.share(SA_MASK));
            act.setInt(SA_FLAGS, SA_RESTART);
            if (c.sigaction(SIGUSR1, act, old) < 0) throw JruncException.system("sigaction: errno %d", Native.getLastError());
            installed = true;
            if (c.syscall(LibC.SYS_TGKILL, 1, 1, SIGUSR1, 0, 0) < 0) throw JruncException.system("tgkill: errno %d", Native.getLastError());
            byte[] results = new byte[4 * nsFds.length];
            int got = 0;
            Memory pfd = new Memory(8);
            while (got < results.length) {
                pfd.setInt(0, pipe[0]);
                pfd.setInt(4, 1 /* POLLIN */);
                int ready = c.poll(pfd, 1, LEADER_TIMEOUT_MS);
                if (ready <= 0) {
                    throw JruncException.system("the init stage's main thread did not join its namespaces within %d s (poll: %d, errno %d)",
                            LEADER_TIMEOUT_MS / 1000, ready, Native.getLastError());
                }
                byte[] chunk = new byte[results.length - got];
                long n = c.read(pipe[0], chunk, chunk.length);
                if (n <= 0) throw JruncException.system("reading the main thread's setns results: errno %d", Native.getLastError());
                System.arraycopy(chunk, 0, results, got, (int) n);
                got += (int) n;
            }
            for (int i = 0; i < nsFds.length; i++) {
                int rc = (results[4 * i] & 0xff) | (results[4 * i + 1] & 0xff) << 8 | (results[4 * i + 2] & 0xff) << 16 | results[4 * i + 3] << 24;
                if (rc != 0) {
                    throw JruncException.system("the init stage's main thread cannot join the namespace (type 0x%x): setns: errno %d", types[i], -rc);
                }
            }
        } finally {
            // the handler page stays mapped (read+exec): the leader may still be on its last instruction; execve unmaps it
            if (installed) c.sigaction(SIGUSR1, old, null);
            c.close(pipe[0]);
            c.close(pipe[1]);
        }
    }

    /** A page holding the handler ({@link #code}), read and exec only once written. */
    private static Pointer handler(int[] nsFds, int[] types, int resultFd) {
        LibC c = LibC.INSTANCE;
        Pointer page = c.mmap(Pointer.NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (Pointer.nativeValue(page) == -1L) throw JruncException.system("mmap: errno %d", Native.getLastError());
        byte[] code = code(nsFds, types, resultFd);
        page.write(0, code, 0, code.length);
        if (c.mprotect(page, PAGE, PROT_READ | PROT_EXEC) < 0) throw JruncException.system("mprotect: errno %d", Native.getLastError());
        return page;
    }

    /**
     * The handler's x86_64 machine code: for each namespace, setns(nsFd, type) and write(resultFd, &amp;result, 4);
     * then return (to glibc's rt_sigreturn restorer, which restores every register). No call, one stack slot.
     */
    static byte[] code(int[] nsFds, int[] types, int resultFd) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < nsFds.length; i++) {
            b.write(0xBF); le(b, nsFds[i]);                  // mov edi, nsFd
            b.write(0xBE); le(b, types[i]);                  // mov esi, type
            b.write(0xB8); le(b, 308);                       // mov eax, SYS_setns
            b.write(0x0F); b.write(0x05);                    // syscall
            b.write(0x50);                                   // push rax (the result, 0 or -errno)
            b.write(0xBF); le(b, resultFd);                  // mov edi, resultFd
            b.write(0x48); b.write(0x89); b.write(0xE6);     // mov rsi, rsp
            b.write(0xBA); le(b, 4);                         // mov edx, 4
            b.write(0xB8); le(b, 1);                         // mov eax, SYS_write
            b.write(0x0F); b.write(0x05);                    // syscall
            b.write(0x58);                                   // pop rax
        }
        b.write(0xC3);                                       // ret
        return b.toByteArray();
    }

    private static void le(java.io.ByteArrayOutputStream b, int v) {
        for (int i = 0; i < 4; i++) b.write(v >>> (8 * i) & 0xff);
    }
}
