package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.init.InitPlan;
import io.jcontainerd.runtime.spec.Process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * The Linux security modules this host runs, and what becomes of a spec's AppArmor and SELinux fields:
 * applied when the module is enabled (the init stage writes the label to /proc/thread-self/attr/..., the
 * mount label goes into the mount data), refused with the reason when it is not. Never ignored.
 *
 * @param appArmor AppArmor enabled: securityfs has apparmor/ and the module says "Y" (runc's test)
 * @param selinux  SELinux enabled: selinuxfs is mounted at /sys/fs/selinux
 */
public record HostLsm(boolean appArmor, boolean selinux) {
    /** Filesystems that take no context= option (runc labels neither). */
    private static final Set<String> UNLABELLED = Set.of("proc", "sysfs", "cgroup", "cgroup2", "mqueue", "bind");
    private static final int MAX_LABEL = 4096;

    public static HostLsm current() {
        boolean appArmor = false;
        if (Files.isDirectory(Path.of("/sys/kernel/security/apparmor"))) {
            try {
                appArmor = Files.readString(Path.of("/sys/module/apparmor/parameters/enabled")).startsWith("Y");
            } catch (IOException e) {
                appArmor = false;
            }
        }
        return new HostLsm(appArmor, Files.exists(Path.of("/sys/fs/selinux/enforce")));
    }

    /** Refuses what this host cannot apply, naming the field. */
    public void check(Process p, String mountLabel) {
        if (p != null && present(p.apparmorProfile())) {
            valid("process.apparmorProfile", p.apparmorProfile());
            if (!appArmor) throw refused("process.apparmorProfile", p.apparmorProfile(), "AppArmor");
        }
        if (p != null && present(p.selinuxLabel())) {
            valid("process.selinuxLabel", p.selinuxLabel());
            if (!selinux) throw refused("process.selinuxLabel", p.selinuxLabel(), "SELinux");
        }
        if (present(mountLabel)) {
            valid("linux.mountLabel", mountLabel);
            if (!selinux) throw refused("linux.mountLabel", mountLabel, "SELinux");
        }
    }

    /** What the init stage writes before execve (checked by {@link #check} first); null when there is nothing. */
    public InitPlan.Lsm labels(Process p) {
        String aa = present(p.apparmorProfile()) ? p.apparmorProfile() : null;
        String se = present(p.selinuxLabel()) ? p.selinuxLabel() : null;
        return aa == null && se == null ? null : new InitPlan.Lsm(aa, se);
    }

    /** A filesystem mount's data with the SELinux mount label added (runc's label.FormatMountLabel). */
    public String mountData(String type, String data, String mountLabel) {
        if (!present(mountLabel) || UNLABELLED.contains(type)) return data;
        String context = "context=\"" + mountLabel + "\"";
        return data == null || data.isEmpty() ? context : data + "," + context;
    }

    private static boolean present(String s) { return s != null && !s.isEmpty(); }

    private static void valid(String field, String label) {
        if (label.length() > MAX_LABEL || label.chars().anyMatch(c -> c < ' ' || c == '"' || c == 0x7f)) {
            throw JruncException.invalidArgument("config.json: %s is not a valid label: at most %d characters, no control characters or quotes", field, MAX_LABEL);
        }
    }

    private static JruncException refused(String field, String value, String lsm) {
        return JruncException.invalidArgument("config.json: %s %s cannot be applied: %s is not enabled on this host; remove the field or run the container on a host with %s",
                field, value, lsm, lsm);
    }
}
