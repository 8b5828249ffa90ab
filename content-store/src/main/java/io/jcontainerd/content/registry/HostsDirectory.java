package io.jcontainerd.content.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * containerd's registry host directory: {@code <dir>/<registry>/hosts.toml}, e.g.
 * <pre>
 * server = "https://registry-1.docker.io"        # the upstream, tried last
 * [host."http://127.0.0.1:5000"]                  # mirrors, tried in file order
 *   capabilities = ["pull", "resolve"]
 *   skip_verify = true
 *   ca = "ca.pem"                                 # relative to the registry's directory
 *   override_path = true                          # the URL already holds the API path
 *   [host."http://127.0.0.1:5000".header]
 *     x-custom = "value"
 * </pre>
 * A registry without a directory (and without {@code _default/hosts.toml}) gets the defaults.
 */
public final class HostsDirectory implements RegistryHosts {

    private static final TomlMapper TOML = new TomlMapper();
    private static final Set<HostCapability> ALL = EnumSet.of(HostCapability.PULL, HostCapability.RESOLVE, HostCapability.PUSH);

    private final Path dir;

    private HostsDirectory(Path dir) {
        this.dir = dir;
    }

    /** Reads hosts.toml files under dir on every lookup, so edits apply without a restart (as containerd). */
    public static HostsDirectory of(Path dir) {
        return new HostsDirectory(dir);
    }

    @Override
    public List<RegistryHost> lookup(String registry) {
        for (String name : List.of(registry, registry.replace(':', '_') + "_", "_default")) {
            Path file = dir.resolve(name).resolve("hosts.toml");
            if (Files.isRegularFile(file)) {
                return parse(file, registry);
            }
        }
        return defaultHosts(registry);
    }

    /** docker.io → https://registry-1.docker.io; loopback → http; anything else → https. */
    static List<RegistryHost> defaultHosts(String registry) {
        return List.of(upstream(registry, null, ALL, false, List.of(), Map.of()));
    }

    private static RegistryHost upstream(String registry, String server, Set<HostCapability> caps, boolean skipVerify,
                                         List<Path> ca, Map<String, List<String>> headers) {
        String url = server;
        if (url == null || url.isEmpty()) {
            if (registry.equals("docker.io")) {
                url = "https://registry-1.docker.io";
            } else {
                url = (isLoopback(registry) ? "http://" : "https://") + registry;
            }
        }
        URI base = withApiPath(URI.create(url), false);
        return new RegistryHost(base, base.getRawAuthority(), caps, skipVerify, ca, headers);
    }

    static boolean isLoopback(String registry) {
        String h = registry;
        if (h.startsWith("[")) {
            h = h.substring(1, h.indexOf(']'));
            return h.equals("::1");
        }
        int colon = h.lastIndexOf(':');
        if (colon >= 0) h = h.substring(0, colon);
        return h.equals("localhost") || h.startsWith("127.");
    }

    /** containerd appends /v2 to a host URL unless override_path says the path is complete. */
    private static URI withApiPath(URI u, boolean overridePath) {
        String path = u.getRawPath() == null ? "" : u.getRawPath();
        if (path.endsWith("/")) path = path.substring(0, path.length() - 1);
        if (!overridePath) path = path + "/v2";
        try {
            return new URI(u.getScheme(), u.getRawAuthority(), path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static List<RegistryHost> parse(Path file, String registry) {
        JsonNode root;
        try {
            root = TOML.readTree(file.toFile());
        } catch (IOException e) {
            throw JcdException.invalidArgument("%s is not valid TOML: %s", file, e.getMessage());
        }
        List<RegistryHost> hosts = new ArrayList<>();
        JsonNode hostTable = root.path("host");
        for (Iterator<Map.Entry<String, JsonNode>> it = hostTable.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            hosts.add(host(file, e.getKey(), e.getValue()));
        }
        String server = root.path("server").asText("");
        Set<HostCapability> caps = root.has("capabilities") ? capabilities(file, root.get("capabilities")) : ALL;
        RegistryHost up = upstream(registry, server, caps, root.path("skip_verify").asBoolean(false),
                caPaths(file, root.get("ca")), headers(root.get("header")));
        if (root.path("override_path").asBoolean(false) && !server.isEmpty()) {
            URI base = withApiPath(uri(file, server), true);
            up = new RegistryHost(base, base.getRawAuthority(), up.capabilities(), up.skipVerify(), up.caCerts(), up.headers());
        }
        hosts.add(up);
        return List.copyOf(hosts);
    }

    private static RegistryHost host(Path file, String url, JsonNode t) {
        URI u = uri(file, url);
        if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
            throw JcdException.invalidArgument("%s: host \"%s\" must be an http:// or https:// URL", file, url);
        }
        URI base = withApiPath(u, t.path("override_path").asBoolean(false));
        Set<HostCapability> caps = t.has("capabilities") ? capabilities(file, t.get("capabilities")) : ALL;
        return new RegistryHost(base, base.getRawAuthority(), caps, t.path("skip_verify").asBoolean(false),
                caPaths(file, t.get("ca")), headers(t.get("header")));
    }

    private static URI uri(Path file, String url) {
        try {
            return new URI(url);
        } catch (URISyntaxException e) {
            throw JcdException.invalidArgument("%s: \"%s\" is not a URL: %s", file, url, e.getMessage());
        }
    }

    private static Set<HostCapability> capabilities(Path file, JsonNode node) {
        Set<HostCapability> caps = EnumSet.noneOf(HostCapability.class);
        for (JsonNode c : node) {
            caps.add(HostCapability.parse(c.asText(), file));
        }
        return caps;
    }

    private static List<Path> caPaths(Path file, JsonNode node) {
        if (node == null) return List.of();
        List<Path> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(file.getParent().resolve(n.asText())));
        } else {
            out.add(file.getParent().resolve(node.asText()));
        }
        return out;
    }

    private static Map<String, List<String>> headers(JsonNode node) {
        if (node == null) return Map.of();
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            List<String> values = new ArrayList<>();
            if (e.getValue().isArray()) e.getValue().forEach(v -> values.add(v.asText()));
            else values.add(e.getValue().asText());
            out.put(e.getKey(), values);
        }
        return out;
    }
}
