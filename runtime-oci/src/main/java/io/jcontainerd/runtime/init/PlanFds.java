package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.JruncException;

import java.util.Arrays;

/**
 * What the runtime opens for the init stage and sends right after the plan (one SCM_RIGHTS message):
 * the init stage boots in a jail mount namespace where no host path resolves (see
 * container.LaunchJail), so every host object it needs before it reaches the container's mounts
 * comes as an fd. In this order: the mount namespace its exec thread joins (the container's for an
 * exec; for a create, a copy of the runtime's with the JDK and jars read-only, where it mounts the
 * rootfs), the cgroup namespace it joins (when the plan joins one), the console socket, connected
 * (when the plan has a terminal and a socket), and each cgroup file it writes "0" into.
 *
 * <p>None is a directory, so no fd seen through /proc/&lt;pid&gt;/fd leads anywhere on the host.
 */
public record PlanFds(int mountNs, int cgroupNs, int console, int[] cgroupFiles) {
    public PlanFds {
        cgroupFiles = cgroupFiles.clone();
    }

    @Override public int[] cgroupFiles() { return cgroupFiles.clone(); }

    /** How many fds come with this plan. */
    public static int count(InitPlan plan) {
        return 1 + (plan.joinCgroupNs() != null ? 1 : 0) + (hasConsole(plan) ? 1 : 0) + plan.cgroupJoin().size();
    }

    /** Whether a console socket fd comes with this plan. */
    public static boolean hasConsole(InitPlan plan) {
        return plan.terminal() && plan.consoleSocket() != null;
    }

    /** Splits the fds received in {@link #count} order. */
    public static PlanFds of(InitPlan plan, int[] fds) {
        if (fds.length != count(plan)) throw JruncException.system("expected %d fds with the plan, got %d", count(plan), fds.length);
        int i = 0;
        int mnt = fds[i++];
        int cgroupNs = plan.joinCgroupNs() != null ? fds[i++] : -1;
        int console = hasConsole(plan) ? fds[i++] : -1;
        return new PlanFds(mnt, cgroupNs, console, Arrays.copyOfRange(fds, i, fds.length));
    }

    /** Receives them from the runtime, after the plan. */
    public static PlanFds receive(FdChannel channel, InitPlan plan) {
        int[] fds = channel.receiveFds(count(plan));
        if (fds == null) throw JruncException.system("the runtime went away before it sent the plan's fds");
        return of(plan, fds);
    }
}
