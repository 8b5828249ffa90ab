package io.jcontainerd.supervisor.cri;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.cri.v1.AuthConfig;
import io.jcontainerd.api.cri.v1.ImageSpec;
import io.jcontainerd.api.cri.v1.ImageStatusRequest;
import io.jcontainerd.api.cri.v1.PullImageRequest;
import io.jcontainerd.api.cri.v1.RemoveImageRequest;
import io.jcontainerd.testsupport.FilesHolding;
import io.jcontainerd.testsupport.LocalRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * PullImage with kubelet's AuthConfig (what it finds in an image pull secret) from a registry that
 * wants a login: Debian's docker-registry with htpasswd auth serving the test images read-only on a
 * loopback port of its own. The login is for that pull only, and never logged nor written.
 */
class CriPullImageAuthIT {
    private static final String WRONG = "not-the-password-7f3a";
    private static final String IDENTITY_TOKEN = "identity-token-5c1e";
    private static final String REGISTRY_TOKEN = "registry-token-9d2b";
    static CriNode node;
    static LocalRegistry registry;
    static String image;

    @BeforeAll
    static void start() throws Exception {
        node = CriNode.start("criauth");
        registry = LocalRegistry.overTestImages(node.dir.resolve("auth-registry"), true);
        image = registry.host + "/library/busybox:latest";
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (registry != null) {
                registry.close();
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    @AfterEach
    void removeImage() {
        node.images.removeImage(RemoveImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build());
    }

    private static String pull(AuthConfig auth) {
        return node.images.pullImage(PullImageRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image))
                .setAuth(auth).build()).getImageRef();
    }

    private static StatusRuntimeException refused(AuthConfig auth) {
        StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> pull(auth));
        assertThat(e).as("PullImage of %s was not refused", image).isNotNull();
        return e;
    }

    private static void assertPresent(String ref) {
        assertThat(ref).startsWith("sha256:");
        var status = node.images.imageStatus(ImageStatusRequest.newBuilder().setImage(ImageSpec.newBuilder().setImage(image)).build());
        assertThat(status.getImage().getId()).isEqualTo(ref);
        assertThat(status.getImage().getRepoTagsList()).contains(image);
    }

    @Test
    void usernameAndPasswordPullTheImage() {
        assertPresent(pull(AuthConfig.newBuilder().setUsername(LocalRegistry.USER).setPassword(LocalRegistry.PASSWORD)
                .setServerAddress("http://" + registry.host).build()));
    }

    @Test
    void theAuthFieldBase64OfUserColonPasswordPullsTheImage() {
        String auth = Base64.getEncoder().encodeToString((LocalRegistry.USER + ":" + LocalRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
        assertPresent(pull(AuthConfig.newBuilder().setAuth(auth).build()));
    }

    @Test
    void noCredentialsFailsSayingTheRegistryRequiresAuthentication() {
        StatusRuntimeException e = refused(AuthConfig.getDefaultInstance());
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(e.getStatus().getDescription()).contains("registry " + registry.host + " requires authentication")
                .contains("401 Unauthorized").contains("CRI PullImage auth");
    }

    @Test
    void aLoginForAnotherRegistryIsNotSentAndThePullFailsAsWithout() {
        StatusRuntimeException e = refused(AuthConfig.newBuilder().setUsername(LocalRegistry.USER).setPassword(LocalRegistry.PASSWORD)
                .setServerAddress("https://other.example:5000").build());
        assertThat(e.getStatus().getDescription()).contains("registry " + registry.host + " requires authentication");
    }

    @Test
    void aWrongPasswordFailsSayingTheRegistryRefusedTheCredentials() {
        StatusRuntimeException e = refused(AuthConfig.newBuilder().setUsername(LocalRegistry.USER).setPassword(WRONG).build());
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
        assertThat(e.getStatus().getDescription()).contains("registry " + registry.host + " refused the configured credentials")
                .contains("401 Unauthorized").doesNotContain(WRONG);
    }

    @Test
    void tokensTheRegistryDoesNotTakeAreSentAndRefused() {
        // an htpasswd registry takes a user name and password only: each token reaches it and is refused
        assertThat(refused(AuthConfig.newBuilder().setIdentityToken(IDENTITY_TOKEN).build()).getStatus().getDescription())
                .contains("registry " + registry.host + " refused the configured credentials").doesNotContain(IDENTITY_TOKEN);
        assertThat(refused(AuthConfig.newBuilder().setRegistryToken(REGISTRY_TOKEN).build()).getStatus().getDescription())
                .contains("registry " + registry.host + " refused the configured credentials").doesNotContain(REGISTRY_TOKEN);
    }

    @Test
    void malformedOrOversizedAuthIsInvalidArgumentAndNamesTheField() {
        StatusRuntimeException notBase64 = refused(AuthConfig.newBuilder().setAuth("***" + WRONG).build());
        assertThat(notBase64.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(notBase64.getStatus().getDescription()).contains("auth.auth is not base64").doesNotContain(WRONG);
        StatusRuntimeException big = refused(AuthConfig.newBuilder().setAuth("A".repeat(1 << 20)).build());
        assertThat(big.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(big.getStatus().getDescription()).contains("auth.auth is 1048576 characters, more than the 65536 taken");
    }

    @Test
    void noCredentialIsLoggedOrWritten() throws Exception {
        pull(AuthConfig.newBuilder().setUsername(LocalRegistry.USER).setPassword(LocalRegistry.PASSWORD).build());
        refused(AuthConfig.newBuilder().setUsername(LocalRegistry.USER).setPassword(WRONG).build());
        refused(AuthConfig.newBuilder().setRegistryToken(REGISTRY_TOKEN).build());
        String basic = Base64.getEncoder().encodeToString((LocalRegistry.USER + ":" + LocalRegistry.PASSWORD).getBytes(StandardCharsets.UTF_8));
        for (String secret : new String[]{LocalRegistry.PASSWORD, WRONG, REGISTRY_TOKEN, basic}) {
            assertThat(node.daemon.log()).as("the daemon's log").doesNotContain(secret);
            for (String d : new String[]{"root", "state"}) {
                if (Files.isDirectory(node.dir.resolve(d))) {
                    assertThat(FilesHolding.secret(node.dir.resolve(d), secret)).as("files of the daemon's %s holding a secret", d).isEmpty();
                }
            }
        }
    }
}
