package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The text of a container's /etc/hosts, /etc/resolv.conf and /etc/hostname, as dockerd writes them.
 * Plain functions of their inputs; the caller writes and bind-mounts the files.
 */
public final class EtcFiles {
    /** One /etc/hosts line: an address and its names. */
    public record HostEntry(String address, List<String> names) {
        public HostEntry {
            names = List.copyOf(names);
        }
    }

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");
    private static final int MAX_HOST_FILE = 1 << 20;
    /** Docker's fallback when the host has only loopback resolvers (they would not answer inside a netns). */
    static final List<String> DEFAULT_DNS = List.of("8.8.8.8", "8.8.4.4");

    private EtcFiles() {
    }

    private static final Pattern PEER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,252}");

    /**
     * Throws InvalidArgument unless {@code name} can stand in /etc/hosts as a peer's name: Docker's
     * container-name rule (letters, digits, '_', '.', '-'; its generated names have '_'), no spaces.
     */
    public static String validatePeerName(String what, String name) {
        if (!PEER_NAME.matcher(name).matches()) {
            throw JcdException.invalidArgument("%s \"%s\" is not valid: use letters, digits, '_', '.' and '-', starting with a letter or digit",
                    what, name);
        }
        return name;
    }

    public static boolean isPeerName(String name) {
        return PEER_NAME.matcher(name).matches();
    }

    /** Whether {@code name} is a DNS host name (RFC 1123). */
    public static boolean isHostname(String name) {
        return name.length() <= 253 && HOSTNAME.matcher(name).matches();
    }

    /** Throws InvalidArgument unless {@code name} is a DNS host name (RFC 1123), at most 253 characters. */
    public static String validateHostname(String what, String name) {
        if (name.length() > 253 || !HOSTNAME.matcher(name).matches()) {
            throw JcdException.invalidArgument("%s \"%s\" is not a valid host name: use letters, digits and '-' in dot-separated labels",
                    what, name);
        }
        return name;
    }

    /**
     * Parses --add-host "name:ip" (Docker also accepts "name=ip"); "host-gateway" as the address
     * stands for {@code gateway}.
     */
    public static HostEntry extraHost(String spec, String gateway) {
        int sep = spec.indexOf(':');
        int eq = spec.indexOf('=');
        int at = eq > 0 && (sep < 0 || eq < sep) ? eq : sep;
        if (at <= 0 || at == spec.length() - 1) {
            throw JcdException.invalidArgument("extra host \"%s\" is not name:ip", spec);
        }
        String name = validateHostname("extra host name", spec.substring(0, at));
        String ip = spec.substring(at + 1);
        if (ip.equals("host-gateway")) {
            if (gateway == null || gateway.isEmpty()) {
                throw JcdException.invalidArgument("extra host \"%s\": host-gateway needs a network with a gateway", spec);
            }
            ip = gateway;
        } else if (ip.contains(":")) {
            if (!ip.matches("[0-9A-Fa-f:.]{2,45}")) {
                throw JcdException.invalidArgument("extra host \"%s\": \"%s\" is not an IP address", spec, ip);
            }
        } else {
            Ipv4Cidr.parseAddress("extra host " + name + " address", ip);
        }
        return new HostEntry(ip, List.of(name));
    }

    /**
     * /etc/hosts of a container with its own network namespace: localhost lines, the extra hosts,
     * the container's own addresses with its host name, then its peers on user-defined networks.
     */
    public static String hosts(String hostname, String domainname, List<String> ownAddresses, List<HostEntry> extraHosts,
                               List<HostEntry> peers) {
        StringBuilder sb = new StringBuilder();
        sb.append("127.0.0.1\tlocalhost\n");
        sb.append("::1\tlocalhost ip6-localhost ip6-loopback\n");
        sb.append("fe00::0\tip6-localnet\n");
        sb.append("ff00::0\tip6-mcastprefix\n");
        sb.append("ff02::1\tip6-allnodes\n");
        sb.append("ff02::2\tip6-allrouters\n");
        for (HostEntry e : extraHosts) {
            line(sb, e);
        }
        String names = domainname.isEmpty() ? hostname : hostname + "." + domainname + " " + hostname;
        for (String a : ownAddresses) {
            sb.append(a).append('\t').append(names).append('\n');
        }
        for (HostEntry e : peers) {
            line(sb, e);
        }
        return sb.toString();
    }

    /** /etc/hosts of a host-network container: the host's file, then the extra hosts. */
    public static String hostModeHosts(String hostFile, List<HostEntry> extraHosts) {
        StringBuilder sb = new StringBuilder(bounded(hostFile));
        if (!sb.isEmpty() && sb.charAt(sb.length() - 1) != '\n') {
            sb.append('\n');
        }
        extraHosts.forEach(e -> line(sb, e));
        return sb.toString();
    }

    /**
     * /etc/resolv.conf: the host's nameservers (loopback ones left out: they are not reachable from
     * a container's namespace; if none is left, Docker's defaults), search and options lines, each
     * replaced by --dns, --dns-search, --dns-option when given. With {@code hostNetwork} the host's
     * nameservers are kept as they are.
     */
    public static String resolvConf(String hostFile, List<String> dns, List<String> search, List<String> options, boolean hostNetwork) {
        List<String> servers = new ArrayList<>();
        List<String> hostSearch = new ArrayList<>();
        List<String> hostOptions = new ArrayList<>();
        for (String raw : bounded(hostFile).lines().toList()) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            String[] f = line.split("\\s+");
            switch (f[0]) {
                case "nameserver" -> {
                    if (f.length > 1 && (hostNetwork || !isLoopback(f[1]))) {
                        servers.add(f[1]);
                    }
                }
                case "search", "domain" -> {
                    hostSearch.clear();
                    hostSearch.addAll(List.of(f).subList(1, f.length));
                }
                case "options" -> hostOptions.addAll(List.of(f).subList(1, f.length));
                default -> {
                }
            }
        }
        for (String s : dns) {
            if (!s.matches("[0-9A-Fa-f:.]{2,45}")) {
                throw JcdException.invalidArgument("DNS server \"%s\" is not an IP address", s);
            }
        }
        for (String s : search) {
            if (!s.equals(".")) {
                validateHostname("DNS search domain", s);
            }
        }
        for (String o : options) {
            if (!o.matches("[A-Za-z0-9_:.-]{1,64}")) {
                throw JcdException.invalidArgument("DNS option \"%s\" is not an option such as ndots:2", o);
            }
        }
        List<String> ns = !dns.isEmpty() ? dns : servers.isEmpty() ? DEFAULT_DNS : servers;
        List<String> se = !search.isEmpty() ? search.stream().filter(s -> !s.equals(".")).toList() : hostSearch;
        Set<String> op = new LinkedHashSet<>(!options.isEmpty() ? options : hostOptions);
        StringBuilder sb = new StringBuilder();
        for (String s : ns) {
            sb.append("nameserver ").append(s).append('\n');
        }
        if (!se.isEmpty()) {
            sb.append("search ").append(String.join(" ", se)).append('\n');
        }
        if (!op.isEmpty()) {
            sb.append("options ").append(String.join(" ", op)).append('\n');
        }
        return sb.toString();
    }

    /** /etc/hostname. */
    public static String hostname(String hostname) {
        return hostname + "\n";
    }

    private static void line(StringBuilder sb, HostEntry e) {
        sb.append(e.address()).append('\t').append(String.join(" ", e.names())).append('\n');
    }

    private static boolean isLoopback(String ip) {
        return ip.startsWith("127.") || ip.equals("::1");
    }

    private static String bounded(String text) {
        if (text.length() > MAX_HOST_FILE) {
            throw JcdException.invalidArgument("host file is %d characters long: at most %d are read", text.length(), MAX_HOST_FILE);
        }
        return text;
    }
}
