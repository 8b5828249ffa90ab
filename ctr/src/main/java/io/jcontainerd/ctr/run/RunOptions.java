package io.jcontainerd.ctr.run;

import java.util.List;

/** The flags of {@code jctr run} that shape the container's spec; {@code cni} null without --cni. */
public record RunOptions(List<String> env, String cwd, String user, List<BindMount> mounts, boolean netHost,
                         long memoryLimit, double cpus, boolean privileged, boolean readOnly, boolean terminal,
                         List<String> args, CniAttachment cni) {
    /**
     * run --cni: the pinned network namespace the container joins and the /etc files made for it.
     */
    public record CniAttachment(String netnsPath, String hostsPath, String resolvConfPath, String hostnamePath) {
    }

    public RunOptions {
        env = List.copyOf(env);
        mounts = List.copyOf(mounts);
        args = List.copyOf(args);
    }

    /** {@code --mount type=bind,src=/a,dst=/b,options=rbind:ro}, parsed. */
    public record BindMount(String type, String source, String destination, List<String> options) {
        public static BindMount parse(String flag) {
            String type = "bind";
            String src = null;
            String dst = null;
            List<String> options = List.of();
            for (String kv : flag.split(",")) {
                String[] p = kv.split("=", 2);
                if (p.length != 2) {
                    throw new RunException("--mount " + flag + ": \"" + kv + "\" is not key=value (type=bind,src=/a,dst=/b,options=rbind:ro)");
                }
                switch (p[0]) {
                    case "type" -> type = p[1];
                    case "src", "source" -> src = p[1];
                    case "dst", "destination", "target" -> dst = p[1];
                    case "options" -> options = List.of(p[1].split(":"));
                    default -> throw new RunException("--mount " + flag + ": unknown key " + p[0] + " (use type, src, dst, options)");
                }
            }
            if (dst == null) {
                throw new RunException("--mount " + flag + ": dst= is required");
            }
            return new BindMount(type, src == null ? "" : src, dst, options);
        }
    }
}
