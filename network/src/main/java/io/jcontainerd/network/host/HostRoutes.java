package io.jcontainerd.network.host;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.Ipv4Cidr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The host's IPv4 routes, read from /proc/net/route, to refuse a subnet that would clash with one. */
public final class HostRoutes {
    /** One route: its destination network and the interface it leaves by. */
    public record Route(Ipv4Cidr destination, String device) {
    }

    private static final int MAX_LINES = 100_000;

    private HostRoutes() {
    }

    public static List<Route> read() {
        return read(Path.of("/proc/net/route"));
    }

    /**
     * Parses the kernel's table: hex destination and mask in host byte order (little-endian on x86).
     * The default route (mask 0) is left out: every subnet is inside it.
     */
    public static List<Route> read(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw JcdException.unavailable("cannot read the host's routes from %s: %s", file, e.getMessage());
        }
        List<Route> routes = new ArrayList<>();
        for (int i = 1; i < lines.size() && i < MAX_LINES; i++) {
            String[] f = lines.get(i).trim().split("\\s+");
            if (f.length < 8) {
                continue;
            }
            try {
                long dest = Long.reverseBytes(Long.parseLong(f[1], 16) << 32) & 0xFFFFFFFFL;
                long mask = Long.reverseBytes(Long.parseLong(f[7], 16) << 32) & 0xFFFFFFFFL;
                int prefix = Long.bitCount(mask);
                if (prefix > 0) {
                    routes.add(new Route(new Ipv4Cidr(dest, prefix), f[0]));
                }
            } catch (NumberFormatException e) {
                throw JcdException.unavailable("%s line %d is not a route: %s", file, i + 1, lines.get(i));
            }
        }
        return routes;
    }
}
