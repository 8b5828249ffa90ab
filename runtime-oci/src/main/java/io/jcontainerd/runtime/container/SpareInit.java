package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.linux.LibC;
import io.jcontainerd.runtime.linux.LinuxConstants;

import java.util.Map;
import java.util.Optional;
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
 */
public final class SpareInit {
    private final Supplier<InitLauncher> launcher;
    private final Children children;
    private final AtomicReference<InitLauncher.Launched> waiting = new AtomicReference<>();
    /** Counts discards: a spare whose start overlapped one is not kept. */
    private final AtomicLong discards = new AtomicLong();
    private volatile boolean closed;

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
    }

    private void discard(InitLauncher.Launched spare) {
        spare.channel().close();
        LibC.INSTANCE.kill(spare.pid(), LinuxConstants.SIGKILL);
        children.await(spare.pid());
    }
}
