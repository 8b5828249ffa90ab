package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.SELinuxOption;
import io.jcontainerd.api.cri.v1.SecurityProfile;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The Linux security modules this node runs, and what becomes of a CRI request's AppArmor and
 * SELinux fields: put into the OCI spec ({@code process.apparmorProfile}, {@code
 * process.selinuxLabel}, which jrunc applies at execve) when the module is enabled, refused naming
 * the field when it is not (as containerd refuses an AppArmor profile on a node without AppArmor).
 * Unconfined and empty are accepted everywhere. Never ignored.
 */
record NodeLsm(boolean appArmor, boolean selinux) {
    private static final int MAX_LABEL = 4096;

    /** AppArmor: securityfs has apparmor/ and the module says "Y" (runc's test); SELinux: selinuxfs is mounted. */
    static NodeLsm current() {
        boolean appArmor = false;
        if (Files.isDirectory(Path.of("/sys/kernel/security/apparmor"))) {
            try {
                appArmor = Files.readString(Path.of("/sys/module/apparmor/parameters/enabled")).startsWith("Y");
            } catch (IOException e) {
                appArmor = false;
            }
        }
        return new NodeLsm(appArmor, Files.exists(Path.of("/sys/fs/selinux/enforce")));
    }

    /**
     * Puts the AppArmor profile into {@code process}, or refuses it.
     *
     * @param profile    the {@code apparmor} field when the request has it, else null
     * @param deprecated the deprecated {@code apparmor_profile} ("runtime/default", "unconfined", "localhost/&lt;name&gt;")
     * @param privileged a privileged container or pod: RuntimeDefault means none (containerd 1.6), a Localhost profile still applies
     */
    void appArmor(String who, SecurityProfile profile, String deprecated, boolean privileged, Map<String, Object> process) {
        String name;
        String given;
        if (profile != null) {
            given = "apparmor " + profile.getProfileType() + (profile.getLocalhostRef().isEmpty() ? "" : " " + profile.getLocalhostRef());
            name = switch (profile.getProfileType()) {
                case Unconfined -> null;
                case RuntimeDefault -> "";
                case Localhost -> {
                    if (profile.getLocalhostRef().isEmpty()) {
                        throw JcdException.invalidArgument("%s: a Localhost apparmor profile needs localhost_ref, the profile's name", who);
                    }
                    yield profile.getLocalhostRef();
                }
                default -> throw JcdException.invalidArgument("%s: apparmor profile type %d is unknown", who, profile.getProfileTypeValue());
            };
        } else {
            given = "apparmor_profile \"" + deprecated + "\"";
            if (deprecated.isEmpty() || deprecated.equals("unconfined")) {
                name = null;
            } else if (deprecated.equals("runtime/default")) {
                name = "";
            } else if (deprecated.startsWith("localhost/") && deprecated.length() > "localhost/".length()) {
                name = deprecated.substring("localhost/".length());
            } else {
                throw JcdException.invalidArgument("%s: apparmor_profile \"%s\" is not runtime/default, unconfined or localhost/<profile>", who, deprecated);
            }
        }
        if (name == null) {
            return;
        }
        if (!appArmor) {
            throw JcdException.invalidArgument("%s: %s cannot be applied: AppArmor is not enabled on this node (no /sys/kernel/security/apparmor); "
                    + "give Unconfined or leave apparmor unset", who, given);
        }
        if (name.isEmpty() && privileged) {
            return;
        }
        if (name.isEmpty()) {
            throw JcdException.notImplemented("%s: %s: jcontainerd has no RuntimeDefault AppArmor profile to load yet; give a Localhost profile loaded on the node",
                    who, given);
        }
        process.put("apparmorProfile", label(who, "apparmor localhost_ref", name));
    }

    /** Puts the SELinux label into {@code process}, or refuses it. */
    void selinux(String who, SELinuxOption o, Map<String, Object> process) {
        if (o.getUser().isEmpty() && o.getRole().isEmpty() && o.getType().isEmpty() && o.getLevel().isEmpty()) {
            return;
        }
        String given = "selinux_options user=%s role=%s type=%s level=%s".formatted(o.getUser(), o.getRole(), o.getType(), o.getLevel());
        if (!selinux) {
            throw JcdException.invalidArgument("%s: %s cannot be applied: SELinux is not enabled on this node (no /sys/fs/selinux); "
                    + "leave selinux_options empty", who, given);
        }
        if (o.getUser().isEmpty() || o.getRole().isEmpty() || o.getType().isEmpty() || o.getLevel().isEmpty()) {
            throw JcdException.invalidArgument("%s: %s: give all of user, role, type and level (jcontainerd does not fill in defaults)", who, given);
        }
        process.put("selinuxLabel", label(who, "selinux_options", o.getUser() + ":" + o.getRole() + ":" + o.getType() + ":" + o.getLevel()));
    }

    private static String label(String who, String field, String label) {
        if (label.length() > MAX_LABEL || label.chars().anyMatch(c -> c < ' ' || c == '"' || c == 0x7f)) {
            throw JcdException.invalidArgument("%s: %s is not a valid label: at most %d characters, no control characters or quotes", who, field, MAX_LABEL);
        }
        return label;
    }
}
