package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.registry.Credentials;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * PullImage's {@code AuthConfig} as the credentials of that one pull, read as containerd 1.6's cri
 * ({@code ParseAuth}): a {@code server_address} that names another registry than the image's gives
 * none (the pull is anonymous); else {@code username} and {@code password}, else
 * {@code identity_token} (user name empty), else {@code auth} (base64 of {@code user:password}, NULs
 * trimmed from the password), else {@code registry_token} — which containerd 1.6 ignores — as a
 * Bearer token sent as it is (Docker's registrytoken); nothing given is an anonymous pull.
 * Never stored; the credentials' toString and every error here leave the secrets out.
 *
 * @param serverAddress the registry the login is for ({@code https://h:5000/}, {@code h:5000}); empty: any
 */
public record CriAuth(String username, String password, String auth, String serverAddress, String identityToken,
                      String registryToken) {
    /** The longest field taken (a JWT identity token is a few KiB). */
    public static final int MAX_FIELD_CHARS = 64 * 1024;

    public CriAuth {
        bounded("username", username);
        bounded("password", password);
        bounded("auth", auth);
        bounded("server_address", serverAddress);
        bounded("identity_token", identityToken);
        bounded("registry_token", registryToken);
    }

    /** The credentials for the pull, for the registry {@link #serverAddress} names or any; empty: an anonymous pull. */
    public Optional<CredentialStore> credentials() {
        Credentials c;
        if (!username.isEmpty()) {
            c = new Credentials(username, password);
        } else if (!identityToken.isEmpty()) {
            c = new Credentials("", identityToken);
        } else if (!auth.isEmpty()) {
            c = decode(auth);
        } else if (!registryToken.isEmpty()) {
            try {
                c = Credentials.registryToken(registryToken);
            } catch (JcdException e) {
                throw JcdException.invalidArgument("PullImage auth.registry_token is not a Bearer token (printable ASCII without spaces)");
            }
        } else if (!password.isEmpty()) {
            throw JcdException.invalidArgument("PullImage auth has a password but no username: give auth.username too");
        } else {
            return Optional.empty();
        }
        return Optional.of(CredentialStore.forServer(serverAddress, c));
    }

    private static Credentials decode(String auth) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(auth.strip());
        } catch (IllegalArgumentException e) {
            // the decoder's message names a character of the secret: left out
            throw JcdException.invalidArgument("PullImage auth.auth is not base64: give base64 of user:password, or username and password");
        }
        String decoded;
        try {
            decoded = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw JcdException.invalidArgument("PullImage auth.auth decodes to bytes that are not UTF-8: give base64 of user:password");
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            // never echo what was decoded: it is a secret
            throw JcdException.invalidArgument("PullImage auth.auth decodes to %d characters with no ':': give base64 of user:password",
                    decoded.length());
        }
        return new Credentials(decoded.substring(0, colon), stripNuls(decoded.substring(colon + 1)));
    }

    private static String stripNuls(String s) {
        int from = 0;
        int to = s.length();
        while (from < to && s.charAt(from) == '\0') {
            from++;
        }
        while (to > from && s.charAt(to - 1) == '\0') {
            to--;
        }
        return s.substring(from, to);
    }

    private static void bounded(String field, String value) {
        if (value == null) {
            throw new NullPointerException(field);
        }
        if (value.length() > MAX_FIELD_CHARS) {
            throw JcdException.invalidArgument("PullImage auth.%s is %d characters, more than the %d taken", field, value.length(), MAX_FIELD_CHARS);
        }
    }

    @Override
    public String toString() {
        return "CriAuth[username=" + username + ", serverAddress=" + serverAddress + ", secrets hidden]";
    }
}
