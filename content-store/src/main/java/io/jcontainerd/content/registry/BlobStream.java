package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.OptionalLong;

/**
 * The body of one blob download that survives broken connections: when the connection drops or
 * ends early it asks again with {@code Range: bytes=<position>-} and carries on. When asked to verify
 * (only possible from offset 0) it hashes what passes and refuses, at the end, bytes that do not
 * match the descriptor; it never passes on more bytes than the descriptor's size.
 */
final class BlobStream extends InputStream {

    private final RegistryFetcher fetcher;
    private final RegistryHost host;
    private final Descriptor desc;
    private final MessageDigest hasher;
    private long position;
    private InputStream body;
    private int reopenAttempts;
    private boolean finished;

    BlobStream(RegistryFetcher fetcher, RegistryHost host, Descriptor desc, long offset, boolean verify) {
        this.fetcher = fetcher;
        this.host = host;
        this.desc = desc;
        this.position = offset;
        this.hasher = verify ? desc.digest().newHasher() : null;
    }

    void open() {
        HttpResponse<InputStream> r = fetcher.request(host, desc, position);
        long remaining = desc.size() - position;
        if (r.statusCode() == 200 && position > 0) {
            // The server ignored Range: skip what we already have.
            body = r.body();
            try {
                body.skipNBytes(position);
            } catch (IOException e) {
                closeQuietly();
                throw JcdException.unavailable("%s from %s: connection lost while skipping to offset %d", desc.digest(), host.host(), position);
            }
            return;
        }
        OptionalLong len = r.headers().firstValueAsLong("Content-Length");
        if (len.isPresent() && len.getAsLong() > remaining) {
            RegistryErrors.discard(r);
            throw JcdException.failedPrecondition(
                    "%s from %s is larger than its descriptor says: %d bytes offered where %d remain of %d; refused",
                    desc.digest(), host.host(), len.getAsLong(), remaining, desc.size());
        }
        body = r.body();
    }

    /** Bytes of the blob received so far, counting from its start. */
    long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (finished) return -1;
        if (len == 0) return 0;
        while (true) {
            long remaining = desc.size() - position;
            if (remaining == 0) {
                finish();
                return -1;
            }
            int n;
            try {
                n = body.read(b, off, (int) Math.min(len, remaining));
            } catch (IOException e) {
                reopen(e);
                continue;
            }
            if (n < 0) {
                reopen(new IOException("connection closed after " + position + " of " + desc.size() + " bytes"));
                continue;
            }
            if (hasher != null) hasher.update(b, off, n);
            position += n;
            reopenAttempts = 0; // progress was made: the budget is per stall, not per blob
            return n;
        }
    }

    private void finish() throws IOException {
        finished = true;
        int extra;
        try {
            extra = body.read();
        } catch (IOException e) {
            extra = -1; // the bytes we need all arrived; a late reset does not matter
        }
        closeQuietly();
        if (extra >= 0) {
            throw JcdException.failedPrecondition(
                    "%s from %s is larger than its descriptor's %d bytes: refused", desc.digest(), host.host(), desc.size());
        }
        if (hasher != null) {
            Digest actual = desc.digest().withHash(hasher.digest());
            if (!actual.equals(desc.digest())) {
                throw JcdException.failedPrecondition(
                        "digest mismatch for %s from %s: the content hashes to %s; refused",
                        desc.digest(), host.host(), actual);
            }
        }
    }

    private void reopen(IOException cause) throws IOException {
        closeQuietly();
        RetryPolicy retry = fetcher.retryPolicy();
        if (++reopenAttempts >= retry.maxAttempts()) {
            throw new IOException("download of " + desc.digest() + " from " + host.host() + " broke at byte "
                    + position + " of " + desc.size() + " and could not be resumed after " + reopenAttempts + " attempts", cause);
        }
        RegistryClient.sleep(retry.backoff(reopenAttempts + 1));
        try {
            open();
        } catch (JcdException e) {
            throw new IOException("resuming " + desc.digest() + " at byte " + position + " failed: " + e.getMessage(), e);
        }
    }

    private void closeQuietly() {
        if (body != null) {
            try {
                body.close();
            } catch (IOException ignored) {
                // already broken
            }
        }
    }

    @Override
    public void close() {
        finished = true;
        closeQuietly();
    }
}
