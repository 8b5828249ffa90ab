package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers 401 challenges and remembers the result per host and scope: Bearer tokens from the
 * realm named in the challenge (anonymously, or with Basic credentials, as Docker Hub's flow), or
 * Basic authorization on every request.
 */
final class RegistryAuthorizer {

    private record Key(String host, String scope) {
    }

    private record Token(String header, Instant expires) {
        boolean valid() {
            return Instant.now().isBefore(expires);
        }
    }

    private final CredentialStore credentials;
    private final HttpTransport transport;
    private final Map<Key, Token> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> basicHosts = new ConcurrentHashMap<>();

    RegistryAuthorizer(CredentialStore credentials, HttpTransport transport) {
        this.credentials = credentials;
        this.transport = transport;
    }

    /**
     * The Authorization header to send, if one is known for this host and scope; a registry token
     * from the start, as Docker's registrytoken.
     */
    Optional<String> header(String host, String scope) {
        Token t = tokens.get(new Key(host, scope));
        if (t != null && t.valid()) return Optional.of(t.header());
        String basic = basicHosts.get(host);
        if (basic != null) return Optional.of(basic);
        return credentials.lookup(host).filter(Credentials::isRegistryToken).map(c -> "Bearer " + c.secret());
    }

    /**
     * Handles a 401: fetches a token or prepares Basic auth. Returns normally when a retry makes
     * sense; throws a clear error when it does not.
     *
     * @param hadAuth whether the failed request already carried what this would produce
     */
    void answer(RegistryHost host, String scope, HttpResponse<?> response, boolean hadAuth, String what) {
        List<AuthChallenge> challenges = AuthChallenge.parse(response.headers().allValues("WWW-Authenticate"));
        Optional<Credentials> creds = credentials.lookup(host.host());
        if (hadAuth || creds.filter(Credentials::isRegistryToken).isPresent()) {
            throw denied(host, what, creds.isPresent());
        }
        for (AuthChallenge c : challenges) {
            if (c.isBearer()) {
                tokens.put(new Key(host.host(), scope), fetchToken(host, c, scope, creds, what));
                return;
            }
        }
        for (AuthChallenge c : challenges) {
            if (c.isBasic()) {
                if (creds.isEmpty()) throw denied(host, what, false);
                basicHosts.put(host.host(), basic(creds.get()));
                return;
            }
        }
        throw JcdException.failedPrecondition(
                "registry %s asked for authentication for %s with no usable challenge (WWW-Authenticate: %s)",
                host.host(), what, response.headers().allValues("WWW-Authenticate"));
    }

    static JcdException denied(RegistryHost host, String what, boolean hadCredentials) {
        return hadCredentials
                ? JcdException.of(ErrorKind.FAILED_PRECONDITION, String.format(
                        "registry %s refused the configured credentials for %s (401 Unauthorized): check the login (docker login, ~/.docker/config.json) or the pull's own credentials (CRI PullImage auth, X-Registry-Auth)",
                        host.host(), what), new CredentialsRefused())
                : JcdException.of(ErrorKind.FAILED_PRECONDITION, String.format(
                        "registry %s requires authentication for %s (401 Unauthorized) and no credentials are configured: the repository may not exist, or add a login (docker login, ~/.docker/config.json) or give the pull credentials (CRI PullImage auth, X-Registry-Auth)",
                        host.host(), what), new CredentialsRefused());
    }

    /** The cause of a denial: the registry wants other credentials than those sent (none, or wrong ones). */
    static final class CredentialsRefused extends RuntimeException {
        CredentialsRefused() {
            super("401 Unauthorized", null, false, false);
        }
    }

    private static String basic(Credentials c) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (c.username() + ":" + c.secret()).getBytes(StandardCharsets.UTF_8));
    }

    private Token fetchToken(RegistryHost host, AuthChallenge c, String scope, Optional<Credentials> creds, String what) {
        String realm = c.param("realm");
        if (realm.isEmpty()) {
            throw JcdException.failedPrecondition("registry %s sent a Bearer challenge without a realm for %s", host.host(), what);
        }
        String sc = scope.isEmpty() ? c.param("scope") : scope;
        if (creds.isPresent() && creds.get().username().isEmpty() && !creds.get().secret().isEmpty()) {
            Optional<Token> refreshed = fetchTokenWithRefreshToken(host, realm, c.param("service"), sc, creds.get().secret(), what);
            if (refreshed.isPresent()) {
                return refreshed.get();
            }
        }
        StringBuilder q = new StringBuilder();
        if (!c.param("service").isEmpty()) q.append("service=").append(enc(c.param("service")));
        for (String one : sc.split(" ")) { // several scopes (a mount's source repository too) are several parameters, as docker sends them
            if (!one.isEmpty()) q.append(q.isEmpty() ? "" : "&").append("scope=").append(enc(one));
        }
        URI uri = URI.create(realm + (q.isEmpty() ? "" : (realm.contains("?") ? "&" : "?") + q));
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofSeconds(30));
        creds.ifPresent(cr -> req.header("Authorization", basic(cr)));
        HttpResponse<InputStream> resp;
        try {
            resp = transport.send(host, req.build());
        } catch (IOException e) {
            throw JcdException.unavailable("cannot get a token for %s from %s: %s", what, realm, e);
        }
        if (resp.statusCode() != 200) {
            closeQuietly(resp.body());
            if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                throw denied(host, what, creds.isPresent());
            }
            throw JcdException.unavailable("token server %s answered %d for %s", realm, resp.statusCode(), what);
        }
        byte[] body = RegistryClient.readLimited(resp, TokenResponse.MAX_BYTES, "the token response for " + what, host);
        TokenResponse t = TokenResponse.parse(body, realm, what);
        // Renew a little early so a long layer download does not start with a dying token.
        return new Token("Bearer " + t.token(), Instant.now().plus(t.expiresIn()).minusSeconds(10));
    }

    /**
     * An identity token is an OAuth2 refresh token: POSTed to the token server as containerd's and
     * Docker's clients send it ({@code grant_type=refresh_token}). Empty when the token server takes
     * no POST (404, 405, 400 or 401, as containerd falls back): then the GET with Basic credentials.
     */
    private Optional<Token> fetchTokenWithRefreshToken(RegistryHost host, String realm, String service, String scope,
                                                       String refreshToken, String what) {
        StringBuilder form = new StringBuilder("grant_type=refresh_token&refresh_token=").append(enc(refreshToken))
                .append("&client_id=jcontainerd");
        if (!service.isEmpty()) form.append("&service=").append(enc(service));
        if (!scope.isEmpty()) form.append("&scope=").append(enc(scope));
        HttpRequest req = HttpRequest.newBuilder(URI.create(realm)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString(), StandardCharsets.UTF_8)).build();
        HttpResponse<InputStream> resp;
        try {
            resp = transport.send(host, req);
        } catch (IOException e) {
            throw JcdException.unavailable("cannot get a token for %s from %s: %s", what, realm, e);
        }
        int sc = resp.statusCode();
        if (sc != 200) {
            closeQuietly(resp.body());
            if (sc == 404 || sc == 405 || sc == 400 || sc == 401) {
                return Optional.empty();
            }
            if (sc == 403) {
                throw denied(host, what, true);
            }
            throw JcdException.unavailable("token server %s answered %d to the identity token for %s", realm, sc, what);
        }
        byte[] body = RegistryClient.readLimited(resp, TokenResponse.MAX_BYTES, "the token response for " + what, host);
        TokenResponse t = TokenResponse.parse(body, realm, what);
        return Optional.of(new Token("Bearer " + t.token(), Instant.now().plus(t.expiresIn()).minusSeconds(10)));
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the status already says what went wrong
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
