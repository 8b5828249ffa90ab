package io.jcontainerd.content.registry;

import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.MediaTypes;

import java.io.InputStream;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/** Fetches blobs and manifests of one repository, trying the pull hosts in order. */
final class RegistryFetcher implements Fetcher {

    private final RegistryClient client;
    private final ImageReference ref;
    private final List<RegistryHost> hosts;

    RegistryFetcher(RegistryClient client, ImageReference ref, List<RegistryHost> hosts) {
        this.client = client;
        this.ref = ref;
        this.hosts = hosts;
    }

    @Override
    public InputStream fetch(Descriptor desc) {
        return open(desc, 0, true);
    }

    @Override
    public InputStream fetch(Descriptor desc, long offset) {
        return open(desc, offset, false);
    }

    private InputStream open(Descriptor desc, long offset, boolean verify) {
        if (offset < 0 || offset > desc.size()) {
            throw JcdException.invalidArgument("cannot fetch %s from offset %d: it has %d bytes", desc.digest(), offset, desc.size());
        }
        JcdException last = null;
        for (RegistryHost host : hosts) {
            try {
                BlobStream s = new BlobStream(this, host, desc, offset, verify);
                s.open();
                return s;
            } catch (JcdException e) {
                if (e.kind() != ErrorKind.NOT_FOUND && e.kind() != ErrorKind.UNAVAILABLE) throw e;
                last = e;
            }
        }
        throw last;
    }

    /** GET the blob from position on; returns a 200/206 response or throws. */
    HttpResponse<InputStream> request(RegistryHost host, Descriptor desc, long position) {
        boolean manifest = desc.kind() == MediaTypes.Kind.INDEX || desc.kind() == MediaTypes.Kind.MANIFEST;
        String path = "/" + ref.path() + (manifest ? "/manifests/" : "/blobs/") + desc.digest();
        String what = desc.kind().refPrefix() + " " + desc.digest() + " of " + ref.name();
        Map<String, String> headers = manifest
                ? Map.of("Accept", desc.mediaType().isEmpty() ? String.join(", ", MediaTypes.MANIFEST_ACCEPT) : desc.mediaType())
                : position > 0 ? Map.of("Range", "bytes=" + position + "-") : Map.of();
        if (manifest && position > 0) {
            headers = Map.of("Accept", headers.get("Accept"), "Range", "bytes=" + position + "-");
        }
        HttpResponse<InputStream> r = client.exchange(host, ref.path(), "GET", path, headers, what);
        int sc = r.statusCode();
        if (sc == 200 || sc == 206) {
            return r;
        }
        if (sc == 404) {
            throw JcdException.notFound("%s not found on registry %s (%s)", what, host.host(), RegistryErrors.detail(r));
        }
        throw RegistryClient.unexpected(host, r, what);
    }

    RetryPolicy retryPolicy() {
        return client.retryPolicy();
    }
}
