package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.init.FdChannel;
import io.jcontainerd.runtime.init.InitPlan;
import io.jcontainerd.runtime.init.PlanCodec;
import io.jcontainerd.runtime.init.PlanFds;
import io.jcontainerd.runtime.linux.LinuxConstants;
import io.jcontainerd.runtime.linux.Syscalls;

import java.util.ArrayList;
import java.util.List;

/**
 * Sends an init stage its plan and then what the plan names on the host, opened here ({@link PlanFds}):
 * the init stage booted in the launch jail, where no host path resolves.
 */
final class PlanHandOver {
    private PlanHandOver() {}

    /** @param mountNs the mount namespace the init stage's exec thread joins; stays open here */
    static void send(Syscalls sys, FdChannel channel, InitPlan plan, int mountNs) {
        List<Integer> opened = new ArrayList<>();
        try {
            int[] fds = new int[PlanFds.count(plan)];
            int i = 0;
            fds[i++] = mountNs;
            if (plan.joinCgroupNs() != null) fds[i++] = keep(opened, sys.open(plan.joinCgroupNs(), LinuxConstants.O_RDONLY | LinuxConstants.O_CLOEXEC));
            if (PlanFds.hasConsole(plan)) fds[i++] = keep(opened, sys.connectUnix(plan.consoleSocket()));
            for (String file : plan.cgroupJoin()) fds[i++] = keep(opened, sys.open(file, LinuxConstants.O_WRONLY | LinuxConstants.O_CLOEXEC));
            channel.sendBytes(PlanCodec.encode(plan));
            channel.sendFds(fds);
        } finally {
            opened.forEach(sys::close);
        }
    }

    private static int keep(List<Integer> opened, int fd) {
        opened.add(fd);
        return fd;
    }
}
