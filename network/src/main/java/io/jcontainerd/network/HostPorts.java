package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * The host side of published ports: a mapping that asks for any port (0) gets one the kernel says
 * is free now, as docker's allocator does; a fixed port already published by another container, or
 * bound by a process of the host, is refused as dockerd refuses it ("port is already allocated").
 */
final class HostPorts {
    private HostPorts() {
    }

    /** {@code requested} with their host ports chosen, given the ports other containers publish ({@code taken}). */
    static List<PortMapping> pick(List<PortMapping> requested, List<PortMapping> taken) {
        List<PortMapping> out = new ArrayList<>();
        for (PortMapping p : requested) {
            if (p.hostPort() != 0) {
                List<PortMapping> published = new ArrayList<>(taken);
                published.addAll(out);
                for (PortMapping t : published) {
                    if (t.hostPort() == p.hostPort() && t.protocol().equals(p.protocol())
                            && (t.hostIp().isEmpty() || p.hostIp().isEmpty() || t.hostIp().equals(p.hostIp()))) {
                        throw JcdException.alreadyExists("Bind for %s:%d failed: port is already allocated",
                                p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp(), p.hostPort());
                    }
                }
                checkUnbound(p);
                out.add(p);
                continue;
            }
            try {
                InetAddress bind = p.hostIp().isEmpty() ? null : InetAddress.getByName(p.hostIp());
                int port;
                if (p.protocol().equals("udp")) {
                    try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(bind, 0))) {
                        port = d.getLocalPort();
                    }
                } else {
                    try (ServerSocket ss = new ServerSocket(0, 1, bind)) {
                        port = ss.getLocalPort();
                    }
                }
                out.add(p.withHostPort(port));
            } catch (IOException e) {
                throw JcdException.unavailable("cannot pick a free host port on %s: %s", p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp(),
                        e.getMessage());
            }
        }
        return out;
    }

    /** A published port a host process listens on would never reach the container: refused, naming the port. */
    private static void checkUnbound(PortMapping p) {
        try {
            InetAddress bind = p.hostIp().isEmpty() ? null : InetAddress.getByName(p.hostIp());
            if (p.protocol().equals("udp")) {
                new DatagramSocket(new InetSocketAddress(bind, p.hostPort())).close();
            } else if (p.protocol().equals("tcp")) {
                try (ServerSocket ss = new ServerSocket()) {
                    ss.setReuseAddress(true);
                    ss.bind(new InetSocketAddress(bind, p.hostPort()), 1);
                }
            }
        } catch (IOException e) {
            throw JcdException.alreadyExists("Bind for %s:%d failed: %s (a process of the host uses the port)",
                    p.hostIp().isEmpty() ? "0.0.0.0" : p.hostIp(), p.hostPort(), e.getMessage());
        }
    }
}
