package io.jcontainerd.runtime.init;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;

/**
 * A spare init stage (born in a new network namespace, see container.SpareInit) moving into the network
 * namespace of the create that took it, given as an fd the runtime opened on the host. Namespaces are
 * per thread, so two threads join it:
 * <ul>
 *   <li>this one, the exec thread: the container's program inherits its namespaces at execve, and the
 *   mounts it makes (sysfs) and sysctls it writes are those of its own network namespace;</li>
 *   <li>the thread-group leader, which is what /proc/&lt;pid&gt;/ns/net shows until the execve (prestart
 *   hooks, CNI, `ip netns identify`, an exec of a created container read it). It is the Java launcher's
 *   primordial thread, parked in pthread_join while the JVM's main thread runs, and runs no Java code:
 *   it is sent a signal whose handler is a few machine instructions (setns, then write the result to a
 *   pipe), async-signal-safe and outside the JVM.</li>
 * </ul>
 * The JVM's other threads stay in the birth namespace until the execve ends them; the kernel frees it
 * then (nothing else holds it: it has only a loopback device and no fd of it was opened).
 */
final class NetNamespaceJoin {
    private static final int SIGUSR1 = 10;
    private static final int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4, MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;
    private static final int SA_RESTART = 0x10000000;
    /** glibc's struct sigaction on x86_64: handler, 128-byte mask, int flags (padded), restorer. */
    private static final int SIGACTION_BYTES = 152, SA_MASK = 8, SA_FLAGS = 136;
    private static final int PAGE = 4096;
    /** How long the leader may take to run its handler (it does at once unless the machine is starved). */
    private static final int LEADER_TIMEOUT_MS = 30_000;

    private NetNamespaceJoin() {}

    /** This thread and the thread-group leader into the network namespace {@code nsFd}; the fd stays open. */
    static void join(int nsFd) {
        LibC c = LibC.INSTANCE;
        if (c.setns(nsFd, LinuxConstants.CLONE_NEWNET) < 0) {
            throw JruncException.system("cannot join the network namespace the runtime sent (setns: errno %d)", Native.getLastError());
        }
        if (c.getpid() != 1 || !"amd64".equals(System.getProperty("os.arch"))) {
            // the runtime hands a network namespace only to a spare, PID 1 of its pid namespace, on x86_64
            throw JruncException.system("a network namespace is joined from the thread-group leader only by an init stage on x86_64");
        }
        joinLeader(nsFd);
    }

    /** Runs setns(nsFd, CLONE_NEWNET) on the thread-group leader (tid 1 here) through a SIGUSR1 handler. */
    private static void joinLeader(int nsFd) {
        LibC c = LibC.INSTANCE;
        int[] pipe = new int[2];
        if (c.pipe2(pipe, LinuxConstants.O_CLOEXEC) < 0) throw JruncException.system("pipe2: errno %d", Native.getLastError());
        Memory old = new Memory(SIGACTION_BYTES);
        boolean installed = false;
        try {
            Pointer code = handler(nsFd, pipe[1]);
            Memory act = new Memory(SIGACTION_BYTES);
            act.clear();
            act.setPointer(0, code);
            c.sigfillset(act.share(SA_MASK));
            act.setInt(SA_FLAGS, SA_RESTART);
            if (c.sigaction(SIGUSR1, act, old) < 0) throw JruncException.system("sigaction: errno %d", Native.getLastError());
            installed = true;
            if (c.syscall(LibC.SYS_TGKILL, 1, 1, SIGUSR1, 0, 0) < 0) throw JruncException.system("tgkill: errno %d", Native.getLastError());
            Memory pfd = new Memory(8);
            pfd.setInt(0, pipe[0]);
            pfd.setInt(4, 1 /* POLLIN */);
            int ready = c.poll(pfd, 1, LEADER_TIMEOUT_MS);
            if (ready <= 0) {
                throw JruncException.system("the init stage's main thread did not join the network namespace within %d s (poll: %d, errno %d)",
                        LEADER_TIMEOUT_MS / 1000, ready, Native.getLastError());
            }
            byte[] result = new byte[4];
            if (c.read(pipe[0], result, 4) != 4) throw JruncException.system("reading the main thread's setns result: errno %d", Native.getLastError());
            int rc = (result[0] & 0xff) | (result[1] & 0xff) << 8 | (result[2] & 0xff) << 16 | result[3] << 24;
            if (rc != 0) throw JruncException.system("the init stage's main thread cannot join the network namespace: setns: errno %d", -rc);
        } finally {
            // the handler page stays mapped (read+exec): the leader may still be on its last instruction; execve unmaps it
            if (installed) c.sigaction(SIGUSR1, old, null);
            c.close(pipe[0]);
            c.close(pipe[1]);
        }
    }

    /** A page holding the handler, read and exec only once written: setns(nsFd, CLONE_NEWNET); write(resultFd, &result, 4). */
    private static Pointer handler(int nsFd, int resultFd) {
        LibC c = LibC.INSTANCE;
        Pointer page = c.mmap(Pointer.NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (Pointer.nativeValue(page) == -1L) throw JruncException.system("mmap: errno %d", Native.getLastError());
        byte[] code = code(nsFd, resultFd);
        page.write(0, code, 0, code.length);
        if (c.mprotect(page, PAGE, PROT_READ | PROT_EXEC) < 0) throw JruncException.system("mprotect: errno %d", Native.getLastError());
        return page;
    }

    /** The handler's x86_64 machine code (registers are restored by rt_sigreturn; no call, no stack beyond one slot). */
    static byte[] code(int nsFd, int resultFd) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.write(0xBF); le(b, nsFd);                          // mov edi, nsFd
        b.write(0xBE); le(b, LinuxConstants.CLONE_NEWNET);   // mov esi, CLONE_NEWNET
        b.write(0xB8); le(b, 308);                           // mov eax, SYS_setns
        b.write(0x0F); b.write(0x05);                        // syscall
        b.write(0x50);                                       // push rax (the result, 0 or -errno)
        b.write(0xBF); le(b, resultFd);                      // mov edi, resultFd
        b.write(0x48); b.write(0x89); b.write(0xE6);         // mov rsi, rsp
        b.write(0xBA); le(b, 4);                             // mov edx, 4
        b.write(0xB8); le(b, 1);                             // mov eax, SYS_write
        b.write(0x0F); b.write(0x05);                        // syscall
        b.write(0x58);                                       // pop rax
        b.write(0xC3);                                       // ret (to glibc's rt_sigreturn restorer)
        return b.toByteArray();
    }

    private static void le(java.io.ByteArrayOutputStream b, int v) {
        for (int i = 0; i < 4; i++) b.write(v >>> (8 * i) & 0xff);
    }
}
