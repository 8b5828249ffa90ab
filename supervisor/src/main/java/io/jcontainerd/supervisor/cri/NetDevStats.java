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

    /** One interface's counters (unsigned 64-bit, as the kernel's). */
    record Counters(String name, long rxBytes, long rxPackets, long rxErrors, long rxDropped,
                    long txBytes, long txPackets, long txErrors, long txDropped) {
        NetworkInterfaceUsage usage() {
            return NetworkInterfaceUsage.newBuilder().setName(name).setRxBytes(u64(rxBytes)).setRxErrors(u64(rxErrors))
                    .setTxBytes(u64(txBytes)).setTxErrors(u64(txErrors)).build();
        }
    }

    static List<Counters> of(int pid) throws IOException {
        try (InputStream in = Files.newInputStream(Path.of("/proc", Integer.toString(pid), "net", "dev"))) {
            return parse(new String(in.readNBytes(MAX_FILE), StandardCharsets.US_ASCII));
        }
    }

    /**
     * Parses /proc/net/dev: two header lines, then {@code name: rx_bytes rx_packets rx_errs rx_drop ... tx_bytes tx_packets tx_errs tx_drop ...}
     * (8 receive and 8 transmit columns). Lines of another shape are refused naming the line.
     */
    static List<Counters> parse(String text) {
        List<Counters> out = new ArrayList<>();
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
            out.add(new Counters(name, n(f[0]), n(f[1]), n(f[2]), n(f[3]), n(f[8]), n(f[9]), n(f[10]), n(f[11])));
        }
        return out;
    }

    private static long n(String s) {
        return Long.parseUnsignedLong(s);
    }

    private static UInt64Value u64(long v) {
        return UInt64Value.newBuilder().setValue(v).build();
    }
}
