package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.Set;

/**
 * A published port: connections to {@code hostIp:hostPort} reach {@code containerPort} of the container.
 *
 * @param hostIp        "" for every address of the host, else one IPv4 address (127.0.0.1 works)
 * @param hostPort      0 to let the manager pick a free one (docker run -P, -p 80)
 * @param containerPort the port inside the container
 * @param protocol      tcp, udp or sctp
 */
public record PortMapping(String hostIp, int hostPort, int containerPort, String protocol) {
    private static final Set<String> PROTOCOLS = Set.of("tcp", "udp", "sctp");

    public PortMapping {
        hostIp = hostIp == null ? "" : hostIp;
        if (!hostIp.isEmpty() && !hostIp.equals("0.0.0.0")) {
            Ipv4Cidr.parseAddress("published port host IP", hostIp);
        }
        if (hostIp.equals("0.0.0.0")) {
            hostIp = "";
        }
        if (hostPort < 0 || hostPort > 65535) {
            throw JcdException.invalidArgument("host port %d is out of range 0-65535", hostPort);
        }
        if (containerPort < 1 || containerPort > 65535) {
            throw JcdException.invalidArgument("container port %d is out of range 1-65535", containerPort);
        }
        if (!PROTOCOLS.contains(protocol)) {
            throw JcdException.invalidArgument("port protocol \"%s\" is not tcp, udp or sctp", protocol);
        }
    }

    public static PortMapping tcp(String hostIp, int hostPort, int containerPort) {
        return new PortMapping(hostIp, hostPort, containerPort, "tcp");
    }

    public PortMapping withHostPort(int port) {
        return new PortMapping(hostIp, port, containerPort, protocol);
    }
}
