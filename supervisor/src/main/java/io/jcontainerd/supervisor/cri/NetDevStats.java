package io.jcontainerd.supervisor.cri;

import io.jcontainerd.api.cri.v1.NetworkInterfaceUsage;
import io.jcontainerd.api.cri.v1.UInt64Value;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The interfaces of a network namespace and their counters, from {@code /proc/<pid>/net/dev} of a
 * process in it (the pod's pause process): no setns needed, the file shows the namespace of the
 * process it belongs to. Loopback is left out, as kubelet and cAdvisor leave it out.
 */
final class NetDevStats {
    /** containerd's default interface of a pod (the CNI's eth0). */
    static final String DEFAULT_INTERFACE = "eth0";
    private static final int MAX_FILE = 256 * 1024;

    private NetDevStats() {
    }

    static List<NetworkInterfaceUsage> of(int pid) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("/proc", Integer.toString(pid), "net", "dev"))) {
            return parse(new String(in.readNBytes(MAX_FILE), StandardCharsets.US_ASCII));
        }
    }

    /**
     * Parses /proc/net/dev: two header lines, then {@code name: rx_bytes rx_packets rx_errs ... tx_bytes tx_packets tx_errs ...}
     * (8 receive and 8 transmit columns). Lines of another shape are refused naming the line.
     */
    static List<NetworkInterfaceUsage> parse(String text) {
        List<NetworkInterfaceUsage> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue; // the two header lines
            }
            String name = line.substring(0, colon).strip();
            String[] f = line.substring(colon + 1).strip().split("\\s+");
            if (f.length < 16) {
                throw new IllegalStateException("/proc/net/dev line for " + name + " has " + f.length + " counters, not 16: " + line);
            }
            if (name.equals("lo")) {
                continue;
            }
            out.add(NetworkInterfaceUsage.newBuilder().setName(name)
                    .setRxBytes(u64(f[0])).setRxErrors(u64(f[2])).setTxBytes(u64(f[8])).setTxErrors(u64(f[10])).build());
        }
        return out;
    }

    private static UInt64Value u64(String s) {
        return UInt64Value.newBuilder().setValue(Long.parseUnsignedLong(s)).build();
    }
}
