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
 * the mounts made since, the rootfs first, are there). A create that asks for other namespaces, joins
 * one or keeps extra fds starts a fresh init stage and leaves the spare waiting.
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
        if (unshareFlags != InitLauncher.SPARE_NAMESPACES || !joins.isEmpty() || preserveFds != 0) return Optional.empty();
        InitLauncher.Launched spare = waiting.getAndSet(null);
        if (spare == null) return Optional.empty();
        if (!ProcStat.alive(spare.pid(), 0)) {
            discard(spare);
            return Optional.empty();
        }
        try {
            spare.channel().sendFds(stdio.stdin(), stdio.stdout(), stdio.stderr());
            return Optional.of(spare);
        } catch (JruncException e) {
            discard(spare);
            return Optional.empty();
        }
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
