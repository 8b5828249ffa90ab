package io.jcontainerd.supervisor.services;

import io.jcontainerd.api.pull.v1.RegistryAuth;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.registry.Credentials;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * A pull request's registry login as credentials for that pull only: for the registry its
 * server address names (Docker Hub's addresses meaning docker.io's hosts), or for every host of
 * the pull when it names none. Never stored; {@link Credentials#toString} hides the secret.
 */
final class PullLogin {
    private static final Set<String> DOCKER_HUB = Set.of("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com");

    private PullLogin() {
    }

    static CredentialStore of(RegistryAuth auth) {
        Credentials creds = auth.getIdentityToken().isEmpty()
                ? new Credentials(auth.getUsername(), auth.getPassword())
                : new Credentials("", auth.getIdentityToken());
        if (creds.username().isEmpty() && creds.secret().isEmpty()) {
            return CredentialStore.none();
        }
        String server = host(auth.getServerAddress());
        if (server.isEmpty()) {
            return host -> Optional.of(creds);
        }
        return host -> {
            String h = host.toLowerCase(Locale.ROOT);
            return h.equals(server) || (DOCKER_HUB.contains(server) && DOCKER_HUB.contains(h)) ? Optional.of(creds) : Optional.empty();
        };
    }

    /** "https://index.docker.io/v1/" -> "index.docker.io"; "127.0.0.1:5000" stays. */
    static String host(String serverAddress) {
        String s = serverAddress.strip().toLowerCase(Locale.ROOT);
        if (s.isEmpty()) {
            return "";
        }
        if (s.contains("://")) {
            URI u = URI.create(s);
            return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
        }
        int slash = s.indexOf('/');
        return slash < 0 ? s : s.substring(0, slash);
    }
}
