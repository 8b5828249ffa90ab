package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.registry.Credentials;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CriAuthTest {
    private static final String HOST = "127.0.0.1:5000";

    private static CriAuth auth(String user, String password, String auth, String server, String identity, String registry) {
        return new CriAuth(user, password, auth, server, identity, registry);
    }

    private static Optional<Credentials> lookup(CriAuth a, String host) {
        return a.credentials().orElseThrow().lookup(host);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anEmptyAuthConfigIsAnAnonymousPull() {
        assertThat(auth("", "", "", "", "", "").credentials()).isEmpty();
        assertThat(auth("", "", "", HOST, "", "").credentials()).isEmpty();
    }

    @Test
    void usernameAndPasswordComeFirstThenIdentityTokenThenAuthThenRegistryToken() {
        assertThat(lookup(auth("alice", "pw", b64("bob:x"), "", "idt", "rt"), HOST)).contains(new Credentials("alice", "pw"));
        assertThat(lookup(auth("", "", b64("bob:x"), "", "idt", "rt"), HOST)).contains(new Credentials("", "idt"));
        assertThat(lookup(auth("", "", b64("bob:x:y"), "", "", "rt"), HOST)).contains(new Credentials("bob", "x:y"));
        assertThat(lookup(auth("", "", "", "", "", "rt"), HOST)).contains(Credentials.registryToken("rt"));
    }

    @Test
    void theAuthFieldsPasswordLosesTrailingNulsAsContainerds() {
        assertThat(lookup(auth("", "", b64("bob:pw\0\0"), "", "", ""), HOST)).contains(new Credentials("bob", "pw"));
    }

    @Test
    void aServerAddressNamingAnotherRegistryGivesThatRegistryNoCredentials() {
        CriAuth a = auth("alice", "pw", "", "https://" + HOST + "/v2/", "", "");
        assertThat(lookup(a, HOST)).contains(new Credentials("alice", "pw"));
        assertThat(lookup(a, "127.0.0.1:5001")).isEmpty();
        assertThat(lookup(auth("alice", "pw", "", HOST, "", ""), HOST)).isPresent();
        assertThat(lookup(auth("alice", "pw", "", "https://index.docker.io/v1/", "", ""), "registry-1.docker.io")).isPresent();
    }

    @Test
    void badAuthIsRefusedWithoutEchoingTheSecret() {
        assertThatThrownBy(() -> auth("", "", "not base64 s3cret!", "", "", "").credentials())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("auth.auth is not base64")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> auth("", "", b64("s3cret-without-colon"), "", "", "").credentials())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no ':'")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> auth("", "s3cret", "", "", "", "").credentials())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no username")
                .hasMessageNotContaining("s3cret");
        assertThatThrownBy(() -> auth("", "", "", "", "", "s3cret with space").credentials())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("registry_token")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void everyFieldIsBounded() {
        String big = "A".repeat(CriAuth.MAX_FIELD_CHARS + 4);
        assertThatThrownBy(() -> auth("", "", big, "", "", ""))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("auth.auth is 65540 characters, more than the 65536 taken");
        assertThatThrownBy(() -> auth("", "", "", "", big, ""))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("auth.identity_token");
        assertThat(auth("", "", "", "", "A".repeat(CriAuth.MAX_FIELD_CHARS), "").credentials()).isPresent();
    }

    @Test
    void neverPrintsASecret() {
        CriAuth a = auth("alice", "pw-s3cret", b64("bob:s3cret"), "", "id-s3cret", "rt-s3cret");
        assertThat(a.toString()).doesNotContain("s3cret");
        assertThat(Credentials.registryToken("rt-s3cret").toString()).doesNotContain("s3cret");
        assertThat(CredentialStore.none().lookup(HOST)).isEmpty();
    }
}
