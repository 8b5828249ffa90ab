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
}
