package io.jcontainerd.supervisor.pull;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.registry.DockerConfigCredentials;
import io.jcontainerd.content.registry.RegistryClient;

import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * The daemon's registry client: hosts from the certs.d directory of the configuration (read on
 * every pull, so edits apply without a restart), credentials from the daemon user's docker config.
 * An unreadable docker config costs its credentials, not the daemon's start.
 */
public final class DaemonRegistry {
    private static final Logger LOG = Logger.getLogger(DaemonRegistry.class.getName());

    private DaemonRegistry() {
    }

    public static RegistryClient client(Path hostsDir) {
        CredentialStore credentials;
        try {
            credentials = DockerConfigCredentials.loadDefault();
        } catch (JcdException e) {
            LOG.warning(() -> "registry credentials not loaded, pulls are anonymous: " + e.getMessage());
            credentials = CredentialStore.none();
        }
        return RegistryClient.builder().hostsDir(hostsDir).credentials(credentials).build();
    }
}
