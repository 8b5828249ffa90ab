package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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
 * the mounts made since, the rootfs first, are there). It also serves a create that asks for a new pid
 * namespace and, for each of the network, uts and ipc namespaces, a new one, the one of the process
 * embedding the library (host network: the one of the thread that creates, which a fresh init stage
 * would inherit) or one joined by path ({@link #fit}): docker run --network host, a pinned netns of a
 * Docker network or a CRI pod, a hostNetwork pod's pause (host network and uts). Each namespace to
 * move into is opened here, on the host, checked to be of its type and handed over as an fd with the
 * stdio; the spare's exec thread and its thread-group leader (what /proc/&lt;pid&gt;/ns/* shows) join
 * them before it reads its plan (init.NamespaceJoin), and the namespaces it was born in are freed once
 * its execve ends the JVM's other threads. A create that asks for other namespaces, joins
another or keeps extra fds starts a fresh init stage and leaves the spare waiting.
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
        List<Integer> nsFds = new ArrayList<>();
        try {
            for (var ns : fit.get().namespaces().entrySet()) {
                int fd = openNamespace(ns.getValue(), ns.getKey());
                if (fd < 0) return Optional.empty(); // a fresh init stage fails on it as it always did
                nsFds.add(fd);
            }
            InitLauncher.Launched spare = waiting.getAndSet(null);
            if (spare == null) return Optional.empty();
            if (!ProcStat.alive(spare.pid(), 0)) {
                discard(spare);
                return Optional.empty();
            }
            int[] fds = new int[3 + nsFds.size()];
            fds[0] = stdio.stdin();
            fds[1] = stdio.stdout();
            fds[2] = stdio.stderr();
            for (int i = 0; i < nsFds.size(); i++) fds[3 + i] = nsFds.get(i);
            try {
                spare.channel().sendFds(fds);
                return Optional.of(spare);
            } catch (JruncException e) {
                discard(spare);
                return Optional.empty();
            }
        } finally {
            nsFds.forEach(LibC.INSTANCE::close);
        }
    }

    /**
     * How the spare serves a create: the namespaces it moves into (CLONE_NEW* type → namespace file;
     * empty when the create asks for the namespaces the spare was born in).
     */
    record Fit(Map<Integer, String> namespaces) {}

    /** The namespaces a spare can move into after its birth (its pid namespace is for good; the mount one comes with the plan). */
    private static final int MOVABLE = LinuxConstants.CLONE_NEWNET | LinuxConstants.CLONE_NEWUTS | LinuxConstants.CLONE_NEWIPC;
    /**
     * Whether a spare can move into other namespaces: its thread-group leader joins through a handler of
     * x86_64 machine code (init.NamespaceJoin); elsewhere such creates start a fresh init stage.
     */
    static final boolean MOVES_NAMESPACES = "amd64".equals(System.getProperty("os.arch"));
    private static final long NS_GET_NSTYPE = 0xb703L;

    /** The namespace of type {@code flag} of the calling thread: what a fresh init stage spawned from it is born in. */
    static String own(int flag) {
        return "/proc/thread-self/ns/" + switch (flag) {
            case LinuxConstants.CLONE_NEWNET -> "net";
            case LinuxConstants.CLONE_NEWUTS -> "uts";
            case LinuxConstants.CLONE_NEWIPC -> "ipc";
            default -> throw new IllegalArgumentException("not a namespace a spare moves into: 0x" + Integer.toHexString(flag));
        };
    }

    /**
     * Whether the spare serves a create that unshares {@code unshareFlags} and joins {@code joins}
     * (namespace file → CLONE_NEW* type): it must ask for a new pid namespace and nothing the spare was
     * not born in, and join only network, uts or ipc namespaces, one of each at most and none it also
     * asks anew; of those three, one neither new nor joined is this process's (host network, uts, ipc).
     * Never with preserved fds (the spare was spawned without them).
     */
    static Optional<Fit> fit(int unshareFlags, Map<String, Integer> joins, int preserveFds) {
        if (preserveFds != 0) return Optional.empty();
        if ((unshareFlags & LinuxConstants.CLONE_NEWPID) == 0 || (unshareFlags & ~InitLauncher.SPARE_NAMESPACES) != 0) return Optional.empty();
        Map<Integer, String> namespaces = new LinkedHashMap<>();
        for (var j : joins.entrySet()) {
            int type = j.getValue();
            if ((type & MOVABLE) == 0 || Integer.bitCount(type) != 1 || (unshareFlags & type) != 0 || namespaces.containsKey(type)
                    || j.getKey() == null || j.getKey().isEmpty()) {
                return Optional.empty();
            }
            namespaces.put(type, j.getKey());
        }
        for (int type : new int[] {LinuxConstants.CLONE_NEWNET, LinuxConstants.CLONE_NEWUTS, LinuxConstants.CLONE_NEWIPC}) {
            if ((unshareFlags & type) == 0 && !namespaces.containsKey(type)) namespaces.put(type, own(type));
        }
        if (!namespaces.isEmpty() && !MOVES_NAMESPACES) return Optional.empty();
        return Optional.of(new Fit(namespaces));
    }

    /** An fd of the namespace at {@code path}, opened here on the host; -1 when it cannot be opened or is not of type {@code flag}. */
    private static int openNamespace(String path, int flag) {
        LibC c = LibC.INSTANCE;
        int fd = c.open(path, LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC, 0);
        if (fd < 0) return -1;
        if (c.ioctl(fd, NS_GET_NSTYPE, null) != flag) {
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
