package io.jcontainerd.content.registry;

import java.util.Map;
import java.util.Optional;

/** Looks up the login for a registry host ("registry-1.docker.io", "127.0.0.1:5000"). */
@FunctionalInterface
public interface CredentialStore {

    Optional<Credentials> lookup(String host);

    static CredentialStore none() {
        return host -> Optional.empty();
    }

    /** Fixed credentials per host, e.g. from jcontainerd.toml or a pull request's options. */
    static CredentialStore of(Map<String, Credentials> byHost) {
        Map<String, Credentials> copy = Map.copyOf(byHost);
        return host -> Optional.ofNullable(copy.get(host));
    }

    /** This store, then the other for hosts this one does not know. */
    default CredentialStore orElse(CredentialStore other) {
        return host -> lookup(host).or(() -> other.lookup(host));
    }

    /** Docker Hub's names, any of which a login for Docker Hub may name. */
    java.util.Set<String> DOCKER_HUB = java.util.Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

    /**
     * {@code login} for the registry {@code serverAddress} names (Docker Hub's addresses meaning
     * docker.io's hosts), or for every host when it names none: Docker's X-Registry-Auth.
     */
    static CredentialStore forServer(String serverAddress, Credentials login) {
        String server = serverHost(serverAddress);
        if (server.isEmpty()) {
            return host -> Optional.of(login);
        }
        return host -> {
            String h = host.toLowerCase(java.util.Locale.ROOT);
            return h.equals(server) || (DOCKER_HUB.contains(server) && DOCKER_HUB.contains(h)) ? Optional.of(login) : Optional.empty();
        };
    }

    /** "https://index.docker.io/v1/" -> "index.docker.io"; "127.0.0.1:5000" stays; "" stays. */
    static String serverHost(String serverAddress) {
        String s = serverAddress.strip().toLowerCase(java.util.Locale.ROOT);
        if (s.isEmpty()) {
            return "";
        }
        if (s.contains("://")) {
            java.net.URI u;
            try {
                u = java.net.URI.create(s);
            } catch (IllegalArgumentException e) {
                throw io.jcontainerd.config.errdefs.JcdException.invalidArgument("registry server address \"%s\" is not a URL: %s", serverAddress, e.getMessage());
            }
            if (u.getHost() == null) {
                throw io.jcontainerd.config.errdefs.JcdException.invalidArgument("registry server address \"%s\" names no host", serverAddress);
            }
            return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
        }
        int slash = s.indexOf('/');
        return slash < 0 ? s : s.substring(0, slash);
    }
}
