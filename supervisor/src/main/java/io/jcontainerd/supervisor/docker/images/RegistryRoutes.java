package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.api.pull.v1.RegistryAuth;
import io.jcontainerd.config.errdefs.ErrorKind;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Descriptor;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.image.ImageJson;
import io.jcontainerd.content.image.ImageReference;
import io.jcontainerd.content.image.Manifest;
import io.jcontainerd.content.push.ImagePusher;
import io.jcontainerd.content.push.PushResult;
import io.jcontainerd.content.registry.CredentialStore;
import io.jcontainerd.content.registry.Credentials;
import io.jcontainerd.content.registry.RegistryClient;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.events.DockerEvent;
import io.jcontainerd.supervisor.docker.events.EventBus;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code POST /auth} (docker login) and {@code POST /images/{name}/push} (docker push): the
 * facade talks to registries itself, as dockerd does, with the daemon's registry client (hosts
 * from certs.d, token and Basic auth) and the client's login for that request only, reading the
 * blobs through the Content service. Logins are never stored nor logged.
 */
public final class RegistryRoutes {
    private static final Logger LOG = Logger.getLogger(RegistryRoutes.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Containerd cd;
    private final ImageStore images;
    private final RegistryClient registry;
    private final EventBus events;
    private final DistributionSources sources;

    public RegistryRoutes(Containerd cd, ImageStore images, RegistryClient registry, EventBus events) {
        this.cd = cd;
        this.sources = new DistributionSources(cd);
        this.images = images;
        this.registry = registry;
        this.events = events;
    }

    public void register(Router r) {
        r.add("POST", "/auth", this::login)
                .add("POST", "/images/{name*}/push", this::push);
    }

    /**
     * docker login: body {@code {username, password, serveraddress}}; 200
     * {@code {"Status":"Login Succeeded","IdentityToken":""}} when the registry accepts the login,
     * 401 when it refuses it.
     */
    void login(Request q, Exchange x) {
        JsonNode body = q.json();
        if (body == null || !body.isObject()) {
            throw DockerApiException.badRequest("the body of POST /auth must be a JSON object of username, password, serveraddress");
        }
        String user = text(body, "username");
        String password = text(body, "password");
        if (!text(body, "identitytoken").isEmpty() && password.isEmpty()) {
            throw DockerApiException.badRequest("login with an identitytoken is not supported by jcontainerd: give username and password");
        }
        if (user.isEmpty() || password.isEmpty()) {
            throw DockerApiException.badRequest("username and password are required to log in (docker login -u USER --password-stdin SERVER)");
        }
        String address = text(body, "serveraddress");
        String server;
        try {
            server = registryName(CredentialStore.serverHost(address));
        } catch (JcdException e) {
            throw DockerApiException.badRequest("%s", e.getMessage());
        }
        try {
            registry.login(server, new Credentials(user, password));
        } catch (JcdException e) {
            if (RegistryClient.credentialsRefused(e)) {
                LOG.info(() -> "login of " + user + " to " + server + " refused by the registry");
                throw new DockerApiException(401, String.format(
                        "login to %s refused: the registry answered 401 Unauthorized to user %s with the password given: check the user name and password",
                        server, user));
            }
            throw DockerApiException.internal("login to %s failed: %s", server, e.getMessage());
        }
        LOG.info(() -> "login of " + user + " to " + server + " accepted by the registry (nothing kept)");
        x.json(200, JSON.createObjectNode().put("Status", "Login Succeeded").put("IdentityToken", ""));
    }

    /** Docker Hub's names ("" too: docker login without a server) are the registry docker.io. */
    static String registryName(String host) {
        return host.isEmpty() || CredentialStore.DOCKER_HUB.contains(host) ? ImageName.DOCKER_HUB : host;
    }

    /** {@code POST /images/{name}/push?tag=}: the tag given, or every tag of the repository when none is. */
    void push(Request q, Exchange x) {
        String name = q.param("name");
        String tag = q.query("tag", "");
        List<ImageName> targets = targets(name, tag);
        List<LocalImage> local = targets.stream().map(t -> images.find(t.full()).orElseThrow(() ->
                DockerApiException.notFound("An image does not exist locally with the tag: %s", t.familiarRepository()))).toList();
        Optional<RegistryAuth> auth = ImageRoutes.registryAuth(q.header("X-Registry-Auth"));
        RegistryClient client = auth.map(a -> registry.withCredentials(CredentialStore.forServer(a.getServerAddress(),
                a.getIdentityToken().isEmpty() ? new Credentials(a.getUsername(), a.getPassword()) : new Credentials("", a.getIdentityToken()))))
                .orElse(registry);
        Exchange.Chunked out = x.chunked("application/json");
        try {
            out.write(PushProgress.start(targets.getFirst()));
            for (int i = 0; i < targets.size(); i++) {
                ImageName t = targets.get(i);
                LocalImage image = local.get(i);
                Descriptor manifest = manifest(image);
                Map<String, String> ids = layerIds(image, manifest);
                long started = System.nanoTime();
                ImageReference target = ImageReference.parse(t.full());
                PushProgress progress = new PushProgress(ids, line -> {
                    if (!out.write(line)) {
                        throw JcdException.of(ErrorKind.CANCELLED, "the client went away: push of " + t.familiar() + " stopped", null);
                    }
                });
                List<Descriptor> there = new java.util.ArrayList<>();
                PushResult r = new ImagePusher(client).push(target, manifest, d -> ContentBlobs.open(cd, d.digest().toString()), sources,
                        new io.jcontainerd.content.push.PushListener() {
                            @Override
                            public void preparing(Descriptor blob) {
                                progress.preparing(blob);
                            }

                            @Override
                            public void exists(Descriptor blob) {
                                there.add(blob);
                                progress.exists(blob);
                            }

                            @Override
                            public void pushing(Descriptor blob, long sent) {
                                progress.pushing(blob, sent);
                            }

                            @Override
                            public void mounted(Descriptor blob, String from) {
                                there.add(blob);
                                progress.mounted(blob, from);
                            }

                            @Override
                            public void pushed(Descriptor blob) {
                                there.add(blob);
                                progress.pushed(blob);
                            }
                        });
                // as containerd: the blobs are known to be in that repository now (a later push to another repository mounts them),
                // and as dockerd: the image has the pushed manifest's digest in that repository (RepoDigests)
                there.forEach(b -> sources.add(b, target.domain(), target.path()));
                images.recordRepoDigest(t, r.manifest().digest().toString());
                LOG.info(() -> "pushed " + t.full() + " " + r.manifest().digest() + ": " + r.blobsSent() + " blobs sent (" + r.bytesSent()
                        + " bytes), " + r.blobsMounted() + " mounted, " + r.blobsExisting() + " present, in " + (System.nanoTime() - started) / 1_000_000 + " ms");
                for (byte[] l : PushProgress.done(t.tag(), r.manifest().digest().toString(), r.manifest().size())) {
                    out.write(l);
                }
                events.publish(DockerEvent.now("image", "push", t.familiar(), Map.of("name", t.familiar())));
            }
        } catch (JcdException | DockerApiException e) {
            if (!(e instanceof JcdException j && j.kind() == ErrorKind.CANCELLED)) {
                LOG.info(() -> "push of " + name + " failed: " + e.getMessage());
                out.write(PullProgress.error(e.getMessage()));
            }
        } catch (RuntimeException e) {
            // after the head is out an error can only be told in the stream, whatever it is
            LOG.log(java.util.logging.Level.WARNING, "push of " + name + " failed", e);
            out.write(PullProgress.error("push of " + name + " failed: " + e));
        } finally {
            out.end();
        }
    }

    /** The names to push: {@code name} with {@code tag}, {@code name} itself when it has a tag, else every local tag of the repository. */
    private List<ImageName> targets(String name, String tag) {
        if (!tag.isEmpty()) {
            return List.of(ImageName.of(name, tag));
        }
        ImageName parsed = ImageName.parse(name);
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/') || name.contains("@")) {
            if (parsed.digest() != null) {
                throw DockerApiException.badRequest("cannot push %s by digest: push a tag", name);
            }
            return List.of(parsed);
        }
        List<ImageName> all = images.list().stream().flatMap(i -> i.names().stream()).map(ImageName::parse)
                .filter(n -> n.repository().equals(parsed.repository()) && n.tag() != null && n.digest() == null)
                .distinct().sorted(java.util.Comparator.comparing(ImageName::tag)).toList();
        if (all.isEmpty()) {
            throw DockerApiException.notFound("An image does not exist locally with the tag: %s", parsed.familiarRepository());
        }
        return all;
    }

    /** The host platform's manifest of the image, with its media type and size from its bytes. */
    private Descriptor manifest(LocalImage image) {
        Digest digest = Digest.parse(image.manifest());
        byte[] bytes;
        try (InputStream in = ContentBlobs.open(cd, image.manifest())) {
            bytes = in.readNBytes((int) ImageJson.MAX_MANIFEST_BYTES + 1);
        } catch (IOException e) {
            throw JcdException.unavailable("cannot read manifest %s of %s: %s", image.manifest(), image.id(), e.getMessage());
        }
        if (bytes.length > ImageJson.MAX_MANIFEST_BYTES) {
            throw JcdException.failedPrecondition("manifest %s of %s is past the %d byte limit", digest, image.id(), ImageJson.MAX_MANIFEST_BYTES);
        }
        return new Descriptor(ImageJson.detectMediaType(bytes, digest), digest, bytes.length);
    }

    /** Layer digest → the first 12 hex digits of its diff ID, as dockerd names layers in push progress. */
    private Map<String, String> layerIds(LocalImage image, Descriptor manifest) {
        Manifest m;
        try (InputStream in = ContentBlobs.open(cd, manifest.digest().toString())) {
            m = ImageJson.manifest(in.readNBytes((int) manifest.size()), manifest.digest());
        } catch (IOException e) {
            throw JcdException.unavailable("cannot read manifest %s of %s: %s", manifest.digest(), image.id(), e.getMessage());
        }
        Map<String, String> ids = new HashMap<>();
        for (int k = 0; k < m.layers().size(); k++) {
            String diff = k < image.diffIds().size() ? image.diffIds().get(k) : m.layers().get(k).digest().toString();
            ids.put(m.layers().get(k).digest().toString(), PullProgress.shortId(diff));
        }
        return ids;
    }

    private static String text(JsonNode body, String field) {
        JsonNode n = body.path(field);
        if (!n.isMissingNode() && !n.isNull() && !n.isTextual()) {
            throw DockerApiException.badRequest("%s in the body of POST /auth must be a string", field);
        }
        return n.asText("");
    }
}
