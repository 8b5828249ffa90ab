package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageJson;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.MediaTypes;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A client of the OCI distribution protocol (pull side): resolve tags, fetch manifests and blobs,
 * with hosts.toml mirrors, token/basic auth and retries. Thread-safe; share one per daemon.
 */
public final class RegistryClient implements Resolver {

    private static final String USER_AGENT = "jcontainerd/0.1";
    private static final int MAX_REDIRECTS = 5;

    private final RegistryHosts hosts;
    private final RetryPolicy retry;
    private final HttpTransport transport;
    private final RegistryAuthorizer authorizer;
    private final CredentialStore credentials;

    private RegistryClient(Builder b) {
        this.hosts = b.hosts;
        this.retry = b.retry;
        this.transport = new HttpTransport(b.connectTimeout, b.idleTimeout);
        this.credentials = b.credentials;
        this.authorizer = new RegistryAuthorizer(b.credentials, transport);
    }

    private RegistryClient(RegistryClient base, CredentialStore first) {
        this.hosts = base.hosts;
        this.retry = base.retry;
        this.transport = base.transport;
        this.credentials = first.orElse(base.credentials);
        this.authorizer = new RegistryAuthorizer(credentials, transport);
    }

    /**
     * This client (same hosts and connections) with {@code first} asked before its own
     * credentials, and tokens of its own: for one pull with a caller's login, which no other
     * pull then sees.
     */
    public RegistryClient withCredentials(CredentialStore first) {
        return new RegistryClient(this, first);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private RegistryHosts hosts = RegistryHosts.defaults();
        private CredentialStore credentials = CredentialStore.none();
        private RetryPolicy retry = RetryPolicy.defaults();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(30);

        /** Where registries live; default: no mirrors, docker.io → registry-1.docker.io. */
        public Builder hosts(RegistryHosts hosts) {
            this.hosts = hosts;
            return this;
        }

        /** A certs.d-style directory of hosts.toml files. */
        public Builder hostsDir(java.nio.file.Path dir) {
            this.hosts = HostsDirectory.of(dir);
            return this;
        }

        public Builder credentials(CredentialStore credentials) {
            this.credentials = credentials;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder connectTimeout(Duration t) {
            this.connectTimeout = t;
            return this;
        }

        /** How long a response may send nothing before the connection is dropped and the download resumed. */
        public Builder idleTimeout(Duration t) {
            this.idleTimeout = t;
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(this);
        }
    }

    RetryPolicy retryPolicy() {
        return retry;
    }

    // ---- resolve

    @Override
    public Descriptor resolve(ImageReference ref) {
        List<RegistryHost> candidates = hosts.lookup(ref.domain()).stream()
                .filter(h -> h.can(HostCapability.RESOLVE) || (ref.digest() != null && h.can(HostCapability.PULL)))
                .toList();
        if (candidates.isEmpty()) {
            throw JcdException.failedPrecondition(
                    "no host configured for registry %s may resolve %s: give one the \"resolve\" capability in hosts.toml",
                    ref.domain(), ref);
        }
        JcdException notFound = null;
        JcdException unavailable = null;
        for (RegistryHost host : candidates) {
            try {
                Optional<Descriptor> d = resolveOn(host, ref);
                if (d.isPresent()) return d.get();
                notFound = JcdException.notFound("image %s not found: registry %s has no manifest \"%s\" in repository %s",
                        ref, host.host(), ref.object(), ref.path());
            } catch (JcdException e) {
                if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.UNAVAILABLE) throw e;
                // a mirror that is down or lacks the tag: try the next host
                if (e.kind() == ErrorKind.NOT_FOUND) {
                    notFound = e;
                } else {
                    unavailable = e;
                }
            }
        }
        // A host that answered "no such tag" says more than one that could not be reached.
        if (notFound != null) {
            if (unavailable != null) {
                notFound.addSuppressed(unavailable);
            }
            throw notFound;
        }
        throw unavailable;
    }

    private Optional<Descriptor> resolveOn(RegistryHost host, ImageReference ref) {
        String path = "/" + ref.path() + "/manifests/" + ref.object();
        String what = "manifest " + ref;
        Map<String, String> accept = Map.of("Accept", String.join(", ", MediaTypes.MANIFEST_ACCEPT));
        HttpResponse<InputStream> head = exchange(host, ref.path(), "HEAD", path, accept, what);
        try {
            int sc = head.statusCode();
            if (sc == 404) {
                String detail = RegistryErrors.detail(head);
                throw JcdException.notFound("image %s not found: registry %s has no manifest \"%s\" in repository %s (%s)",
                        ref, host.host(), ref.object(), ref.path(), detail);
            }
            if (sc == 200) {
                Optional<String> dg = head.headers().firstValue("Docker-Content-Digest");
                OptionalLong len = head.headers().firstValueAsLong("Content-Length");
                String ct = head.headers().firstValue("Content-Type").map(MediaTypes::base).orElse("");
                Digest digest = ref.digest() != null ? ref.digest() : dg.map(Digest::parse).orElse(null);
                if (digest != null && len.isPresent() && len.getAsLong() > 0 && isManifestType(ct)) {
                    if (dg.isPresent() && ref.digest() != null && !Digest.parse(dg.get()).equals(ref.digest())) {
                        throw JcdException.failedPrecondition("registry %s serves %s for %s", host.host(), dg.get(), ref);
                    }
                    return Optional.of(new Descriptor(ct, digest, len.getAsLong()));
                }
            }
        } finally {
            RegistryErrors.discard(head);
        }
        return resolveWithGet(host, ref, path, accept, what);
    }

    /** Some registries answer HEAD badly (no digest, no length, 405): read the manifest instead. */
    private Optional<Descriptor> resolveWithGet(RegistryHost host, ImageReference ref, String path,
                                                Map<String, String> accept, String what) {
        HttpResponse<InputStream> get = exchange(host, ref.path(), "GET", path, accept, what);
        int sc = get.statusCode();
        if (sc == 404) {
            throw JcdException.notFound("image %s not found: registry %s has no manifest \"%s\" in repository %s (%s)",
                    ref, host.host(), ref.object(), ref.path(), RegistryErrors.detail(get));
        }
        if (sc != 200) {
            throw unexpected(host, get, what);
        }
        byte[] body = readLimited(get, ImageJson.MAX_MANIFEST_BYTES, what, host);
        Digest actual = Digest.of(body);
        if (ref.digest() != null && !ref.digest().equals(actual)) {
            throw JcdException.failedPrecondition(
                    "registry %s returned content with digest %s for %s", host.host(), actual, ref);
        }
        String ct = get.headers().firstValue("Content-Type").map(MediaTypes::base).orElse("");
        String mediaType = isManifestType(ct) ? ct : ImageJson.detectMediaType(body, actual);
        return Optional.of(new Descriptor(mediaType, actual, body.length));
    }

    private static boolean isManifestType(String ct) {
        MediaTypes.Kind k = MediaTypes.kindOf(ct);
        return k == MediaTypes.Kind.INDEX || k == MediaTypes.Kind.MANIFEST;
    }

    static byte[] readLimited(HttpResponse<InputStream> r, long max, String what, RegistryHost host) {
        try (InputStream in = r.body()) {
            byte[] b = in.readNBytes((int) max + 1);
            if (b.length > max) {
                throw JcdException.failedPrecondition("%s from %s is larger than the %d byte limit: refused", what, host.host(), max);
            }
            return b;
        } catch (IOException e) {
            throw JcdException.unavailable("reading %s from %s failed: %s", what, host.host(), e);
        }
    }

    static JcdException unexpected(RegistryHost host, HttpResponse<InputStream> r, String what) {
        return JcdException.unavailable("registry %s answered %s for %s", host.host(), RegistryErrors.detail(r), what);
    }

    // ---- fetch

    /** A fetcher for the reference's repository, using the registry's pull-capable hosts in order. */
    public Fetcher fetcher(ImageReference ref) {
        List<RegistryHost> pullHosts = hosts.lookup(ref.domain()).stream().filter(h -> h.can(HostCapability.PULL)).toList();
        if (pullHosts.isEmpty()) {
            throw JcdException.failedPrecondition(
                    "no host configured for registry %s may pull: give one the \"pull\" capability in hosts.toml", ref.domain());
        }
        return new RegistryFetcher(this, ref, pullHosts);
    }

    // ---- push and login

    /** A pusher to the reference's repository, on the registry's first push-capable host. */
    public RegistryPusher pusher(ImageReference ref) {
        return new RegistryPusher(this, ref, pushHost(ref.domain()));
    }

    /**
     * docker login: whether {@code registry} ("127.0.0.1:5000", "docker.io") accepts {@code login},
     * checked as dockerd does: GET /v2/ on the registry's push host, its challenge answered (a
     * token from the realm asked with Basic credentials, or Basic) with this login only, on
     * tokens of a client of its own: nothing of the login is kept. A registry that asks for no
     * login accepts any.
     *
     * @throws JcdException FAILED_PRECONDITION for which {@link #credentialsRefused} is true when
     *                      the registry refuses the login; UNAVAILABLE when it cannot be reached
     */
    public void login(String registry, Credentials login) {
        RegistryHost host = pushHost(registry);
        RegistryClient own = new RegistryClient(this, h -> Optional.of(login));
        String what = "login as " + login.username();
        HttpResponse<InputStream> r = own.exchange(host, "", "GET", host.resolve("/"), Map.of(), Body.NONE,
                retry.maxAttempts(), what);
        if (r.statusCode() != 200) {
            throw JcdException.failedPrecondition("registry %s answered %s to GET %s for %s: it does not serve the distribution API v2 there",
                    host.host(), RegistryErrors.detail(r), host.resolve("/"), what);
        }
        RegistryErrors.discard(r);
    }

    /** Whether {@code e} (or what it wraps) is a registry's 401 to the credentials sent, or to none. */
    public static boolean credentialsRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RegistryAuthorizer.CredentialsRefused) return true;
        }
        return false;
    }

    private RegistryHost pushHost(String registry) {
        return hosts.lookup(registry).stream().filter(h -> h.can(HostCapability.PUSH)).findFirst()
                .orElseThrow(() -> JcdException.failedPrecondition(
                        "no host configured for registry %s may push: give one the \"push\" capability in hosts.toml", registry));
    }

    // ---- one HTTP exchange with auth, redirects and retries

    /**
     * Sends one request and returns any response but 401 (answered with auth), 429 and 5xx
     * (retried with backoff). Connection failures are retried too. The caller owns the body.
     */
    HttpResponse<InputStream> exchange(RegistryHost host, String repo, String method, String path,
                                       Map<String, String> headers, String what) {
        return exchange(host, "repository:" + repo + ":pull", method, host.resolve(path), headers, Body.NONE,
                retry.maxAttempts(), what);
    }

    /**
     * A request body that can be sent again (each send opens it anew), with its length.
     * {@link #NONE}: no body.
     */
    record Body(java.util.function.Supplier<InputStream> open, long length, Duration timeout) {
        static final Body NONE = new Body(null, 0, null);

        static Body of(byte[] bytes) {
            return new Body(() -> new java.io.ByteArrayInputStream(bytes), bytes.length, null);
        }

        HttpRequest.BodyPublisher publisher() {
            if (open == null) return HttpRequest.BodyPublishers.noBody();
            if (length == 0) return HttpRequest.BodyPublishers.ofByteArray(new byte[0]); // Content-Length: 0
            return HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(open), length);
        }
    }

    /**
     * One exchange under {@code scope} ("" for none, e.g. login's GET /v2/) to {@code target} (a
     * URL of this host, e.g. an upload location), with at most {@code attempts} sends for transient
     * failures. The Authorization header goes only to the host's own origin.
     */
    HttpResponse<InputStream> exchange(RegistryHost host, String scope, String method, URI target,
                                       Map<String, String> headers, Body body, int attempts, String what) {
        int attempt = 1;
        int authRounds = 0;
        boolean ownOrigin = sameOrigin(target, host.endpoint());
        while (true) {
            Optional<String> auth = ownOrigin ? authorizer.header(host.host(), scope) : Optional.empty();
            HttpResponse<InputStream> r;
            try {
                r = sendFollowingRedirects(host, method, target, headers, auth, body);
            } catch (javax.net.ssl.SSLHandshakeException e) {
                // Not transient: retrying will not make the certificate trusted.
                throw JcdException.of(ErrorKind.FAILED_PRECONDITION, String.format(
                        "TLS handshake with registry %s failed for %s: %s; trust its CA with \"ca\" (or \"skip_verify\") in certs.d/%s/hosts.toml",
                        host, what, e.getMessage(), host.host()), e);
            } catch (IOException e) {
                if (attempt >= attempts) {
                    throw JcdException.of(ErrorKind.UNAVAILABLE, String.format(
                            "cannot reach registry %s for %s after %d attempts: %s", host, what, attempt, e), e);
                }
                sleep(retry.backoff(++attempt));
                continue;
            }
            int sc = r.statusCode();
            if (sc == 401 && ownOrigin) {
                RegistryErrors.discard(r);
                if (authRounds++ >= 2) throw RegistryAuthorizer.denied(host, what, auth.isPresent());
                authorizer.answer(host, scope, r, auth.isPresent(), what);
                continue;
            }
            if (sc == 429 || sc >= 500) {
                if (attempt >= attempts) {
                    throw JcdException.unavailable("registry %s answered %s for %s, %d attempts made",
                            host.host(), RegistryErrors.detail(r), what, attempt);
                }
                Duration wait = retryAfter(r).orElse(retry.backoff(attempt + 1));
                RegistryErrors.discard(r);
                attempt++;
                sleep(wait);
                continue;
            }
            return r;
        }
    }

    private Optional<Duration> retryAfter(HttpResponse<?> r) {
        try {
            return r.headers().firstValue("Retry-After")
                    .map(Long::parseLong)
                    .map(Duration::ofSeconds)
                    .map(d -> d.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : d);
        } catch (NumberFormatException e) {
            return Optional.empty(); // an HTTP date: use our own backoff
        }
    }

    private HttpResponse<InputStream> sendFollowingRedirects(RegistryHost host, String method, URI uri,
                                                             Map<String, String> headers, Optional<String> auth, Body body)
            throws IOException {
        URI target = uri;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(target)
                    .method(method, body.publisher())
                    .header("User-Agent", USER_AGENT);
            if (body.timeout() != null) b.timeout(body.timeout());
            headers.forEach(b::header);
            host.headers().forEach((k, vs) -> vs.forEach(v -> b.header(k, v)));
            // Never hand our registry token to another host (blob storage behind a redirect).
            if (auth.isPresent() && sameOrigin(target, uri)) b.header("Authorization", auth.get());
            HttpResponse<InputStream> r = transport.send(host, b.build());
            int sc = r.statusCode();
            Optional<String> location = r.headers().firstValue("Location");
            // a request with a body is not sent again to wherever a redirect points
            if ((sc == 301 || sc == 302 || sc == 303 || sc == 307 || sc == 308) && location.isPresent() && hop < MAX_REDIRECTS
                    && body.open() == null) {
                RegistryErrors.discard(r);
                target = target.resolve(location.get());
                if (sc == 303) method = "GET";
                continue;
            }
            return r;
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return String.valueOf(a.getScheme()).equals(String.valueOf(b.getScheme()))
                && String.valueOf(a.getRawAuthority()).equals(String.valueOf(b.getRawAuthority()));
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.of(ErrorKind.CANCELLED, "interrupted while waiting to retry", e);
        }
    }
}
