package io.jcontainerd.content.registry;

import java.net.URI;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One endpoint to talk to for a registry, from hosts.toml or the defaults.
 *
 * @param endpoint   base URL including the API path, e.g. https://registry-1.docker.io/v2
 * @param host       the host name (and port) of the endpoint, for credentials and tokens
 * @param skipVerify accept any TLS certificate (hosts.toml skip_verify)
 * @param caCerts    extra CA certificate files to trust (PEM)
 * @param headers    extra headers sent on every request
 */
public record RegistryHost(URI endpoint, String host, Set<HostCapability> capabilities, boolean skipVerify,
                           List<Path> caCerts, Map<String, List<String>> headers) {

    public RegistryHost {
        capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
        caCerts = List.copyOf(caCerts);
        headers = Map.copyOf(headers);
    }

    /** A host with all pull-side capabilities and no TLS options. */
    public static RegistryHost of(String baseUrl) {
        URI u = URI.create(baseUrl.endsWith("/") ? baseUrl + "v2" : baseUrl + "/v2");
        return new RegistryHost(u, u.getAuthority(), EnumSet.of(HostCapability.PULL, HostCapability.RESOLVE),
                false, List.of(), Map.of());
    }

    public boolean can(HostCapability c) {
        return capabilities.contains(c);
    }

    public boolean plainHttp() {
        return "http".equals(endpoint.getScheme());
    }

    /** Endpoint plus a path under it, e.g. "/library/busybox/manifests/latest". */
    public URI resolve(String pathUnderApi) {
        String base = endpoint.toString();
        if (base.endsWith("/")) base = base.substring(0, base.length() - 1);
        return URI.create(base + pathUnderApi);
    }

    @Override
    public String toString() {
        return endpoint.toString();
    }
}
