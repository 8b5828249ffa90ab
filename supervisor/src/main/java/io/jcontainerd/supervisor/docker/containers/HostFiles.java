package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's /etc/hostname, /etc/hosts and /etc/resolv.conf, written into its directory and
 * bound into it as dockerd does: hosts with localhost and ExtraHosts (the host's own file with
 * host networking), resolv.conf from the host's unless Dns/DnsSearch/DnsOptions say otherwise.
 */
final class HostFiles {
    private static final String LOCAL = """
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            ff00::0\tip6-mcastprefix
            ff02::1\tip6-allnodes
            ff02::2\tip6-allrouters
            """;

    private HostFiles() {
    }

    static void write(Path dir, String hostname, String networkMode, ObjectNode host) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("hostname"), hostname + "\n");
            StringBuilder hosts = new StringBuilder(networkMode.equals("host") ? read(Path.of("/etc/hosts")) : LOCAL);
            for (JsonNode e : host.path("ExtraHosts")) {
                String[] p = e.asText().split(":", 2);
                if (p.length != 2 || p[0].isEmpty() || p[1].isEmpty()) {
                    throw DockerApiException.badRequest("invalid extra host %s: use name:address", e.asText());
                }
                if (p[1].equals("host-gateway")) {
                    throw DockerApiException.badRequest("extra host %s: host-gateway needs the bridge network, which is not built yet", e.asText());
                }
                hosts.append(p[1]).append('\t').append(p[0]).append('\n');
            }
            Files.writeString(dir.resolve("hosts"), hosts);
            Files.writeString(dir.resolve("resolv.conf"), resolvConf(read(Path.of("/etc/resolv.conf")), host));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the host files of a container in " + dir + ": " + e.getMessage(), e);
        }
    }

    static String resolvConf(String hostFile, ObjectNode host) {
        List<String> dns = strings(host.path("Dns"));
        List<String> search = strings(host.path("DnsSearch"));
        List<String> options = strings(host.path("DnsOptions"));
        StringBuilder out = new StringBuilder();
        List<String> kept = new ArrayList<>();
        for (String line : hostFile.lines().toList()) {
            String l = line.strip();
            if ((l.startsWith("nameserver") && !dns.isEmpty()) || (l.startsWith("search") && !search.isEmpty())
                    || (l.startsWith("options") && !options.isEmpty())) {
                continue;
            }
            kept.add(line);
        }
        kept.forEach(l -> out.append(l).append('\n'));
        dns.forEach(d -> out.append("nameserver ").append(d).append('\n'));
        if (!search.isEmpty()) {
            out.append("search ").append(String.join(" ", search)).append('\n');
        }
        if (!options.isEmpty()) {
            out.append("options ").append(String.join(" ", options)).append('\n');
        }
        return out.toString();
    }

    static String hostHostname() {
        String h = read(Path.of("/proc/sys/kernel/hostname")).strip();
        return h.isEmpty() ? "localhost" : h;
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }

    private static List<String> strings(JsonNode a) {
        List<String> out = new ArrayList<>();
        a.forEach(n -> out.add(n.asText()));
        return out;
    }
}
