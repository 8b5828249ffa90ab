package io.jcontainerd.supervisor.services;

import io.jcontainerd.api.pull.v1.RegistryAuth;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.registry.Credentials;


/**
 * A pull request's registry login as credentials for that pull only: for the registry its
 * server address names (Docker Hub's addresses meaning docker.io's hosts), or for every host of
 * the pull when it names none. Never stored; {@link Credentials#toString} hides the secret.
 */
final class PullLogin {

    private PullLogin() {
    }

    static CredentialStore of(RegistryAuth auth) {
        Credentials creds = auth.getIdentityToken().isEmpty()
                ? new Credentials(auth.getUsername(), auth.getPassword())
                : new Credentials("", auth.getIdentityToken());
        if (creds.username().isEmpty() && creds.secret().isEmpty()) {
            return CredentialStore.none();
        }
        return CredentialStore.forServer(auth.getServerAddress(), creds);
    }
}
