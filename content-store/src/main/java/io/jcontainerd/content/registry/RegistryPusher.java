package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageReference;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.Supplier;

/**
 * The push side of the distribution API for one repository on one host: HEAD a blob, upload one
 * (POST a session, then one monolithic PUT of the whole blob with its digest), mount one from
 * another repository of the host ({@code POST ...?mount=DIGEST&from=REPO}), PUT a manifest
 * under a tag. Auth as for pulls, with the scope {@code repository:<name>:pull,push} (and
 * {@code repository:<from>:pull} for a mount).
 *
 * <p>A registry is not trusted: an upload location must be an http(s) URL of at most
 * {@value #MAX_LOCATION} characters (credentials go only to the host's own origin), error bodies
 * are read up to 64 KiB, a blob's PUT must end within {@link #putTimeout} (60 s plus a second per
 * MiB), and an upload that fails (connection lost mid-blob, 5xx) is started again in a new
 * session, {@link RetryPolicy#maxAttempts} times in all.
 */
public final class RegistryPusher {
    static final int MAX_LOCATION = 8192;
    private final RegistryClient client;
    private final ImageReference ref;
    private final RegistryHost host;
    private final String scope;

    RegistryPusher(RegistryClient client, ImageReference ref, RegistryHost host) {
        this.client = client;
        this.ref = ref;
        this.host = host;
        this.scope = "repository:" + ref.path() + ":pull,push";
    }

    /** "127.0.0.1:5000" */
    public String host() {
        return host.host();
    }

    /** Whether the repository has the blob already (HEAD 200), so it need not be sent. */
    public boolean exists(Descriptor blob) {
        String what = "blob " + blob.digest() + " of " + ref.name();
        HttpResponse<InputStream> r = client.exchange(host, scope, "HEAD", host.resolve("/" + ref.path() + "/blobs/" + blob.digest()),
                Map.of(), RegistryClient.Body.NONE, client.retryPolicy().maxAttempts(), what);
        int sc = r.statusCode();
        RegistryErrors.discard(r);
        if (sc == 200) return true;
        if (sc == 404) return false;
        throw JcdException.unavailable("registry %s answered HTTP %d to HEAD of %s", host.host(), sc, what);
    }

    /**
     * Uploads a blob: {@code content} opens its bytes (again for each attempt); {@code progress}
     * hears the bytes sent so far in the current attempt.
     */
    public void upload(Descriptor blob, Supplier<InputStream> content, LongConsumer progress) {
        String what = "upload of " + blob.kind().refPrefix() + " " + blob.digest() + " to " + ref.name();
        RetryPolicy retry = client.retryPolicy();
        JcdException last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (attempt > 1) {
                RegistryClient.sleep(retry.backoff(attempt));
            }
            try {
                uploadOnce(blob, content, progress, what);
                return;
            } catch (JcdException e) {
                if (e.kind() != ErrorKind.UNAVAILABLE) throw e;
                last = e;
            }
        }
        throw JcdException.of(ErrorKind.UNAVAILABLE, String.format("%s failed after %d attempts: %s",
                what, retry.maxAttempts(), last.getMessage()), last);
    }

    /** What a cross-repository mount came to. */
    public enum Mount {
        /** 201: the registry linked the blob from the other repository, nothing sent. */
        MOUNTED,
        /** 202: the registry opened an upload session instead, and the blob went up through it. */
        UPLOADED,
        /** The registry refused the mount, or the upload its 202 opened failed: upload the blob the usual way. */
        NOT_MOUNTED
    }

    /**
     * Asks the registry to mount the blob from repository {@code from} of the same host, as dockerd
     * does for a blob it knows came from there. A 202 (the registry does not mount, or the login may
     * not read {@code from}) opened an ordinary upload session: the blob is PUT through it once.
     */
    public Mount mount(Descriptor blob, String from, Supplier<InputStream> content, LongConsumer progress) {
        String what = "mount of " + blob.kind().refPrefix() + " " + blob.digest() + " from " + from + " to " + ref.name();
        URI start = host.resolve("/" + ref.path() + "/blobs/uploads/?mount=" + URLEncoder.encode(blob.digest().toString(), StandardCharsets.UTF_8)
                + "&from=" + URLEncoder.encode(from, StandardCharsets.UTF_8));
        HttpResponse<InputStream> r;
        try {
            r = client.exchange(host, scope + " repository:" + from + ":pull", "POST", start, Map.of(),
                    RegistryClient.Body.of(new byte[0]), 1, what);
        } catch (JcdException e) {
            if (e.kind() != ErrorKind.UNAVAILABLE) throw e;
            return Mount.NOT_MOUNTED;
        }
        int sc = r.statusCode();
        if (sc == 201) {
            RegistryErrors.discard(r);
            return Mount.MOUNTED;
        }
        if (sc != 202) {
            RegistryErrors.discard(r);
            return Mount.NOT_MOUNTED;
        }
        URI location = location(start, r, what);
        RegistryErrors.discard(r);
        try {
            put(location, blob, content, progress, what);
            return Mount.UPLOADED;
        } catch (JcdException e) {
            if (e.kind() != ErrorKind.UNAVAILABLE) throw e;
            return Mount.NOT_MOUNTED;
        }
    }

    private void uploadOnce(Descriptor blob, Supplier<InputStream> content, LongConsumer progress, String what) {
        URI start = host.resolve("/" + ref.path() + "/blobs/uploads/");
        HttpResponse<InputStream> r = client.exchange(host, scope, "POST", start, Map.of(),
                RegistryClient.Body.of(new byte[0]), 1, what);
        if (r.statusCode() != 202) {
            throw refused(r, "POST " + start, what);
        }
        URI location = location(start, r, what);
        RegistryErrors.discard(r);
        put(location, blob, content, progress, what);
    }

    /** The monolithic PUT of the whole blob to an upload session's location. */
    private void put(URI location, Descriptor blob, Supplier<InputStream> content, LongConsumer progress, String what) {
        String sep = location.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(location + sep + "digest=" + URLEncoder.encode(blob.digest().toString(), StandardCharsets.UTF_8));
        RegistryClient.Body body = new RegistryClient.Body(() -> new Counting(content.get(), progress), blob.size(), putTimeout(blob.size()));
        HttpResponse<InputStream> done = client.exchange(host, scope, "PUT", put,
                Map.of("Content-Type", "application/octet-stream"), body, 1, what);
        if (done.statusCode() != 201 && done.statusCode() != 204) {
            throw refused(done, "PUT of the blob", what);
        }
        RegistryErrors.discard(done);
    }

    /** PUTs a manifest under {@code tag} and returns the digest the registry gives it (checked to be the content's). */
    public Digest putManifest(String tag, String mediaType, byte[] manifest) {
        Digest digest = Digest.of(manifest);
        String what = "manifest " + digest + " as " + ref.name() + ":" + tag;
        URI uri = host.resolve("/" + ref.path() + "/manifests/" + tag);
        HttpResponse<InputStream> r = client.exchange(host, scope, "PUT", uri, Map.of("Content-Type", mediaType),
                RegistryClient.Body.of(manifest), client.retryPolicy().maxAttempts(), what);
        if (r.statusCode() != 201 && r.statusCode() != 200 && r.statusCode() != 204) {
            throw refused(r, "PUT " + uri, what);
        }
        Optional<String> said = r.headers().firstValue("Docker-Content-Digest");
        RegistryErrors.discard(r);
        if (said.isPresent() && !said.get().equals(digest.toString())) {
            throw JcdException.failedPrecondition("registry %s stored %s as %s instead of %s: it rewrote the manifest",
                    host.host(), what, said.get(), digest);
        }
        return digest;
    }

    /** A PUT of {@code size} bytes may take 60 s plus a second per MiB (1 MiB/s at the least) before the registry answers. */
    static Duration putTimeout(long size) {
        return Duration.ofSeconds(60 + size / (1 << 20));
    }

    private URI location(URI base, HttpResponse<InputStream> r, String what) {
        String loc = r.headers().firstValue("Location").orElse("");
        if (loc.isEmpty() || loc.length() > MAX_LOCATION) {
            RegistryErrors.discard(r);
            throw JcdException.failedPrecondition("registry %s answered the start of the %s with %s upload location: not a registry we can push to",
                    host.host(), what, loc.isEmpty() ? "no" : "a " + loc.length() + "-character");
        }
        URI u;
        try {
            u = base.resolve(loc);
        } catch (IllegalArgumentException e) {
            RegistryErrors.discard(r);
            throw JcdException.failedPrecondition("registry %s gave an upload location that is not a URL for the %s: %s", host.host(), what, e.getMessage());
        }
        if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) {
            RegistryErrors.discard(r);
            throw JcdException.failedPrecondition("registry %s gave a %s upload location for the %s: only http and https are followed",
                    host.host(), u.getScheme(), what);
        }
        return u;
    }

    private JcdException refused(HttpResponse<InputStream> r, String step, String what) {
        int sc = r.statusCode();
        String detail = RegistryErrors.detail(r);
        if (sc == 403) {
            return JcdException.failedPrecondition("registry %s denied the %s (%s): the login may not push to %s", host.host(), what, detail, ref.path());
        }
        if (sc == 404) {
            return JcdException.notFound("registry %s has no repository %s for the %s (%s at %s)", host.host(), ref.path(), what, detail, step);
        }
        if (sc == 400) {
            return JcdException.failedPrecondition("registry %s rejected the %s (%s at %s)", host.host(), what, detail, step);
        }
        return JcdException.unavailable("registry %s answered %s at %s of the %s", host.host(), detail, step, what);
    }

    /** Reports the bytes read so far (what the HTTP client has taken to send). */
    private static final class Counting extends FilterInputStream {
        private final LongConsumer progress;
        private long count;

        Counting(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) progress.accept(++count);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) progress.accept(count += n);
            return n;
        }
    }
}
