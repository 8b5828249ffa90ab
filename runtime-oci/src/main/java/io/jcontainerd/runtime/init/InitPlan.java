package io.jcontainerd.runtime.init;

import io.jcontainerd.runtime.spec.Hooks;

import java.util.List;
import java.util.Map;

/**
 * Everything the container init stage does, decided by the jrunc command beforehand. The init stage
 * is a second, lean JVM; it gets this plan over its sync socket and never sees config.json, so it
 * loads neither Jackson nor picocli. Paths in {@link Rootfs#mounts()} are container paths, resolved
 * inside the rootfs by the init stage itself (after the earlier mounts are in place).
 */
public record InitPlan(
        boolean exec,
        List<String> cgroupJoin,
        boolean newCgroupNs,
        String joinCgroupNs,
        String joinMountNs,
        Rootfs rootfs,
        String hostname,
        String domainname,
        Map<String, String> sysctl,
        List<Limit> rlimits,
        Integer oomScoreAdj,
        long uid,
        long gid,
        List<Long> additionalGids,
        Integer umask,
        CapSets caps,
        boolean noNewPrivileges,
        byte[] seccomp,
        List<String> args,
        List<String> env,
        String cwd,
        String execFifo,
        boolean terminal,
        String consoleSocket,
        boolean syncHooks,
        int preserveFds,
        ContainerHooks hooks,
        Lsm lsm,
        ConsoleSize consoleSize) {

    /** A plan without AppArmor or SELinux labels. */
    public InitPlan(boolean exec, List<String> cgroupJoin, boolean newCgroupNs, String joinCgroupNs, String joinMountNs,
                    Rootfs rootfs, String hostname, String domainname, Map<String, String> sysctl, List<Limit> rlimits,
                    Integer oomScoreAdj, long uid, long gid, List<Long> additionalGids, Integer umask, CapSets caps,
                    boolean noNewPrivileges, byte[] seccomp, List<String> args, List<String> env, String cwd, String execFifo,
                    boolean terminal, String consoleSocket, boolean syncHooks, int preserveFds, ContainerHooks hooks) {
        this(exec, cgroupJoin, newCgroupNs, joinCgroupNs, joinMountNs, rootfs, hostname, domainname, sysctl, rlimits,
                oomScoreAdj, uid, gid, additionalGids, umask, caps, noNewPrivileges, seccomp, args, env, cwd, execFifo,
                terminal, consoleSocket, syncHooks, preserveFds, hooks, null, null);
    }

    /** A plan without a console size (the pty keeps the kernel's 0x0 until someone resizes it). */
    public InitPlan(boolean exec, List<String> cgroupJoin, boolean newCgroupNs, String joinCgroupNs, String joinMountNs,
                    Rootfs rootfs, String hostname, String domainname, Map<String, String> sysctl, List<Limit> rlimits,
                    Integer oomScoreAdj, long uid, long gid, List<Long> additionalGids, Integer umask, CapSets caps,
                    boolean noNewPrivileges, byte[] seccomp, List<String> args, List<String> env, String cwd, String execFifo,
                    boolean terminal, String consoleSocket, boolean syncHooks, int preserveFds, ContainerHooks hooks, Lsm lsm) {
        this(exec, cgroupJoin, newCgroupNs, joinCgroupNs, joinMountNs, rootfs, hostname, domainname, sysctl, rlimits,
                oomScoreAdj, uid, gid, additionalGids, umask, caps, noNewPrivileges, seccomp, args, env, cwd, execFifo,
                terminal, consoleSocket, syncHooks, preserveFds, hooks, lsm, null);
    }

    /**
     * process.consoleSize: the window size the new pty gets before its master is sent on the console socket
     * (runc does the same, and only when both are non-zero); null leaves the kernel's 0x0.
     */
    public record ConsoleSize(int height, int width) {}

    /** Labels for the program the init stage execs, each null when unset (HostLsm checked the LSM is enabled). */
    public record Lsm(String appArmorProfile, String selinuxLabel) {}

    public record Rootfs(String path, long propagation, boolean readonly, boolean noPivot, List<MountStep> mounts,
                         boolean defaultDevices, List<DeviceNode> devices, List<String> maskedPaths,
                         List<String> readonlyPaths) {}

    /** One step of the mount list; cgroup v1 mounts arrive already expanded into tmpfs + binds + symlinks. */
    public record MountStep(Kind kind, String source, String destination, String type, long flags, long remountFlags,
                            long propagation, String data) {
        public enum Kind { FS, BIND, RBIND, SYMLINK, REMOUNT }
    }

    public record DeviceNode(String path, int type, long major, long minor, int mode, long uid, long gid) {}

    public record Limit(int resource, long soft, long hard) {}

    /**
     * createContainer and startContainer hooks, which the init stage runs itself (they belong in the
     * container's namespaces), and the fields of the state JSON they read.
     */
    public record ContainerHooks(String ociVersion, String id, String bundle, Map<String, String> annotations,
                                 List<Hooks.Hook> createContainer, List<Hooks.Hook> startContainer) {
        String stateJson(String status, int pid) { return HookRunner.stateJson(ociVersion, id, status, pid, bundle, annotations); }
    }

    /** The five capability sets as bit masks. */
    public record CapSets(long bounding, long effective, long inheritable, long permitted, long ambient) {}
}
