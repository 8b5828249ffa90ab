package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * At most one init stage started ahead of need by a process that embeds the library (the shim), so
 * that its JVM boot is off the path of the create that takes it. It is born in new
 * {@link InitLauncher#SPARE_NAMESPACES} (what a container usually asks for) and the launch jail
 * ({@link LaunchJail}), exactly as a fresh one; it then waits, before it reads anything else, for its
 * stdio; the plan that follows brings, as for any create, a mount namespace copied at the create (so
 * the mounts made since, the rootfs first, are there). It also serves a create that asks for the same
 * namespaces but the network one ({@link #fit}): one that keeps the network namespace of the process
 * embedding the library (host network: the spare moves into the one of the thread that creates, which
 * a fresh init stage would inherit), or joins a network namespace by path and nothing else. The
 * namespace is opened here, on the host, checked to be a network namespace and handed over as an fd
 * with the stdio; the spare's exec thread and its thread-group leader (what /proc/&lt;pid&gt;/ns/net
 * shows) join it before it reads its plan (init.NetNamespaceJoin), and the namespace it was born in is
 * freed once its execve ends the JVM's other threads. A create that asks for other namespaces, joins
 * another or keeps extra fds starts a fresh init stage and leaves the spare waiting.
 *
 * <p>Besides it, a <b>follower</b> per pod sandbox ({@link #prepareFollower}): an init stage born, as
 * soon as the sandbox's own init stage exists, in the namespaces the pod's containers join (the
 * sandbox's pid, ipc, uts and network namespaces, those its spec has), so that the JVM boot of the
 * pod's first container overlaps the rest of the pod's start. A create whose joins are exactly those
 * namespaces (told apart by their nsfs device and inode, not by path) and that unshares nothing else
 * takes it; it is ended when the sandbox is deleted (the kernel ends it first when the sandbox's pid
 * namespace dies with its init).
 */
public final class SpareInit {
    private final Supplier<InitLauncher> launcher;
    private final Children children;
    private final AtomicReference<InitLauncher.Launched> waiting = new AtomicReference<>();
    /** Counts discards: a spare whose start overlapped one is not kept. */
    private final AtomicLong discards = new AtomicLong();
    private volatile boolean closed;
    /** Followers by sandbox id: the namespaces they joined (type flag → nsfs "dev:ino") and their launch. */
    private final Map<String, Follower> followers = new ConcurrentHashMap<>();

    private record Follower(Map<Integer, String> namespaces, CompletableFuture<InitLauncher.Launched> launched) {}

    /** @param launcher how init stages are started (the same as the creates'), children their reaper */
    public SpareInit(Supplier<InitLauncher> launcher, Children children) {
        this.launcher = launcher;
        this.children = children;
    }

    /**
     * Starts a spare unless one waits already or this was closed; returns once it is spawned, while
     * it boots.
     */
    public void prepare() {
        long seen = discards.get();
        if (closed || waiting.get() != null) return;
        InitLauncher.Launched spare = launcher.get().launchSpare();
        if (!waiting.compareAndSet(null, spare)) {
            discard(spare);
            return;
        }
        // a discard or close meanwhile (a create came and went) must not leave this one behind
        if (closed || discards.get() != seen) discard();
    }

    /** The pid of the waiting spare, if any. */
    public Optional<Integer> pid() {
        return Optional.ofNullable(waiting.get()).map(InitLauncher.Launched::pid);
    }

    /**
     * The spare, given {@code stdio}, when it fits the namespaces
     * a create asks for; empty when it does not (it keeps waiting), when there is none or it died.
     */
    Optional<InitLauncher.Launched> take(int unshareFlags, Map<String, Integer> joins, int preserveFds, StdioFds stdio) {
        if (unshareFlags == 0 && preserveFds == 0 && !joins.isEmpty() && !followers.isEmpty()) {
            Optional<InitLauncher.Launched> follower = takeFollower(joins, stdio);
            if (follower.isPresent()) return follower;
        }
        Optional<Fit> fit = fit(unshareFlags, joins, preserveFds);
        if (fit.isEmpty() || waiting.get() == null) return Optional.empty();
        int netNs = -1;
        if (fit.get().netNs() != null) {
            netNs = openNetNamespace(fit.get().netNs());
            if (netNs < 0) return Optional.empty(); // a fresh init stage fails on it as it always did
        }
        try {
            InitLauncher.Launched spare = waiting.getAndSet(null);
            if (spare == null) return Optional.empty();
            if (!ProcStat.alive(spare.pid(), 0)) {
                discard(spare);
                return Optional.empty();
            }
            try {
                if (netNs >= 0) spare.channel().sendFds(stdio.stdin(), stdio.stdout(), stdio.stderr(), netNs);
                else spare.channel().sendFds(stdio.stdin(), stdio.stdout(), stdio.stderr());
                return Optional.of(spare);
            } catch (JruncException e) {
                discard(spare);
                return Optional.empty();
            }
        } finally {
            if (netNs >= 0) LibC.INSTANCE.close(netNs);
        }
    }

    /**
     * How the spare serves a create: {@code netNs} null when it asks for the namespaces the spare was born
     * in ({@link InitLauncher#SPARE_NAMESPACES}), else the network namespace file the spare moves into.
     */
    record Fit(String netNs) {}

    /** The network namespace of the calling thread: what a fresh init stage spawned from it is born in. */
    static final String OWN_NET_NS = "/proc/thread-self/ns/net";
    /**
     * Whether a spare can move into another network namespace: its thread-group leader joins through a
     * handler of x86_64 machine code (init.NetNamespaceJoin); elsewhere such creates start a fresh init stage.
     */
    static final boolean MOVES_NET_NAMESPACE = "amd64".equals(System.getProperty("os.arch"));
    private static final long NS_GET_NSTYPE = 0xb703L;

    /**
     * Whether the spare serves a create that unshares {@code unshareFlags} and joins {@code joins}
     * (namespace file → CLONE_NEW* type): the spare's namespaces exactly; or those without the network one,
     * which then is this process's (host network) or the one joined, when it is the only join. Never
     * with preserved fds (the spare was spawned without them).
     */
    static Optional<Fit> fit(int unshareFlags, Map<String, Integer> joins, int preserveFds) {
        if (preserveFds != 0) return Optional.empty();
        if (unshareFlags == InitLauncher.SPARE_NAMESPACES && joins.isEmpty()) return Optional.of(new Fit(null));
        if (!MOVES_NET_NAMESPACE || unshareFlags != (InitLauncher.SPARE_NAMESPACES & ~LinuxConstants.CLONE_NEWNET)) return Optional.empty();
        if (joins.isEmpty()) return Optional.of(new Fit(OWN_NET_NS));
        if (joins.size() == 1) {
            var join = joins.entrySet().iterator().next();
            if (join.getValue() == LinuxConstants.CLONE_NEWNET && join.getKey() != null && !join.getKey().isEmpty()) {
                return Optional.of(new Fit(join.getKey()));
            }
        }
        return Optional.empty();
    }

    /** An fd of the network namespace at {@code path}, opened here on the host; -1 when it cannot be opened or is no network namespace. */
    private static int openNetNamespace(String path) {
        LibC c = LibC.INSTANCE;
        int fd = c.open(path, LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC, 0);
        if (fd < 0) return -1;
        if (c.ioctl(fd, NS_GET_NSTYPE, null) != LinuxConstants.CLONE_NEWNET) {
            c.close(fd);
            return -1;
        }
        return fd;
    }

    /**
     * Starts, in the background, a follower of sandbox {@code sandboxId} (see the class comment) that
     * joins {@code joins} (namespace file → CLONE_NEW* type) and unshares nothing; no-op when one is
     * there already, after {@link #close}, or when a namespace file cannot be read (the sandbox died).
     */
    public void prepareFollower(String sandboxId, Map<String, Integer> joins) {
        if (closed || joins.isEmpty()) return;
        Map<Integer, String> namespaces;
        try {
            namespaces = identities(joins);
        } catch (IOException e) {
            return;
        }
        Follower f = new Follower(namespaces, new CompletableFuture<>());
        if (followers.putIfAbsent(sandboxId, f) != null) return;
        Thread.ofPlatform().name("spare-init-" + sandboxId).daemon().start(() -> {
            try {
                f.launched().complete(launcher.get().launchSpare(0, joins));
            } catch (RuntimeException | Error e) {
                followers.remove(sandboxId, f);
                f.launched().completeExceptionally(e);
                return;
            }
            if (closed) discardFollower(sandboxId);
        });
    }

    /** The pid of the follower of {@code sandboxId} once it is spawned; empty when there is none (or it failed to start). */
    public Optional<Integer> followerPid(String sandboxId) {
        Follower f = followers.get(sandboxId);
        try {
            return f == null ? Optional.empty() : Optional.of(f.launched().join().pid());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Ends the follower of {@code sandboxId}, if any (the sandbox is deleted). */
    public void discardFollower(String sandboxId) {
        Follower f = followers.remove(sandboxId);
        if (f != null) f.launched().thenAccept(this::discard);
    }

    private Optional<InitLauncher.Launched> takeFollower(Map<String, Integer> joins, StdioFds stdio) {
        Map<Integer, String> wanted;
        try {
            wanted = identities(joins);
        } catch (IOException e) {
            return Optional.empty(); // the create fails on it by itself
        }
        for (var e : followers.entrySet()) {
            if (!e.getValue().namespaces().equals(wanted) || !followers.remove(e.getKey(), e.getValue())) continue;
            InitLauncher.Launched f;
            try {
                f = e.getValue().launched().join();
            } catch (RuntimeException failed) {
                return Optional.empty();
            }
            if (!ProcStat.alive(f.pid(), 0)) {
                discard(f);
                return Optional.empty();
            }
            try {
                f.channel().sendFds(stdio.stdin(), stdio.stdout(), stdio.stderr());
                return Optional.of(f);
            } catch (JruncException failed) {
                discard(f);
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    /** Each namespace file's type and its namespace's identity (nsfs device and inode, the link followed). */
    private static Map<Integer, String> identities(Map<String, Integer> joins) throws IOException {
        Map<Integer, String> out = new HashMap<>();
        for (var j : joins.entrySet()) {
            Map<String, Object> a = Files.readAttributes(Path.of(j.getKey()), "unix:dev,ino");
            out.put(j.getValue(), a.get("dev") + ":" + a.get("ino"));
        }
        return out;
    }

    /** Ends the waiting spare, if any, and one a {@link #prepare} running now starts; a later prepare starts another. */
    public void discard() {
        discards.incrementAndGet();
        InitLauncher.Launched spare = waiting.getAndSet(null);
        if (spare != null) discard(spare);
    }

    /** Ends the waiting spare, and any that a {@link #prepare} running now starts; none is started after. */
    public void close() {
        closed = true;
        discard();
        followers.keySet().forEach(this::discardFollower);
    }

    private void discard(InitLauncher.Launched spare) {
        spare.channel().close();
        LibC.INSTANCE.kill(spare.pid(), LinuxConstants.SIGKILL);
        children.await(spare.pid());
    }
}
