package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.jcontainerd.api.pull.v1.PullEvent;
import io.jcontainerd.api.pull.v1.PullRequest;
import io.jcontainerd.api.pull.v1.RegistryAuth;
import io.jcontainerd.api.services.images.v1.GetImageRequest;
import io.jcontainerd.supervisor.docker.Containerd;
import io.jcontainerd.supervisor.docker.events.DockerEvent;
import io.jcontainerd.supervisor.docker.events.EventBus;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** {@code /images/...}: pull with Docker's progress stream, list, inspect, tag, remove, history, prune, save and load. */
public final class ImageRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Containerd cd;
    private final ImageStore images;
    private final String snapshotter;
    /** The ID of a container using the image of this ID, if any (rmi refuses then, unless forced). */
    private final Function<String, Optional<String>> containerUsing;

    private final ImageSave save;
    private final EventBus events;
    private final ImageLoad load;

    /** {@code tmp}: where docker load spools its archive and docker save uncompresses layers (on the daemon's root: disk, not tmpfs; what a killed daemon left there is removed at its start). */
    public ImageRoutes(Containerd cd, ImageStore images, String snapshotter, Function<String, Optional<String>> containerUsing, Path tmp,
                       EventBus events, io.jcontainerd.config.DaemonConfig.DockerLoad loadLimits) {
        this.events = events;
        this.save = new ImageSave(cd, images, tmp);
        this.load = new ImageLoad(cd, images, snapshotter, tmp, loadLimits);
        this.cd = cd;
        this.images = images;
        this.snapshotter = snapshotter;
        this.containerUsing = containerUsing;
    }

    public void register(Router r) {
        r.add("POST", "/images/create", this::create)
                .add("GET", "/images/json", this::list)
                .add("POST", "/images/prune", (q, x) -> x.json(200, JSON.createObjectNode().putNull("ImagesDeleted").put("SpaceReclaimed", 0)))
                .add("GET", "/images/{name*}/json", this::inspect)
                .add("GET", "/images/{name*}/history", this::history)
                .add("GET", "/images/get", (q, x) -> save(q.queryAll("names"), SavePlatform.of(q.queryAll("platform")), x))
                .add("GET", "/images/{name*}/get", (q, x) -> save(List.of(q.param("name")), SavePlatform.of(q.queryAll("platform")), x))
                .addStreaming("POST", "/images/load", this::load)
                .add("POST", "/images/{name*}/tag", this::tag)
                .add("DELETE", "/images/{name*}", this::remove);
    }

    /** {@code POST /images/create?fromImage=..&tag=..}: the pull, streamed as Docker's JSON progress lines. */
    void create(Request q, Exchange x) {
        if (q.query("fromSrc", null) != null) {
            throw DockerApiException.badRequest("importing a root filesystem (fromSrc) is not supported by jcontainerd: use docker load or pull");
        }
        String from = q.query("fromImage", "");
        if (from.isEmpty()) {
            throw DockerApiException.badRequest("fromImage is required: give the image to pull, e.g. ?fromImage=busybox&tag=latest");
        }
        ImageName name = ImageName.of(from, q.query("tag", ""));
        PullRequest.Builder pull = PullRequest.newBuilder().setReference(name.full()).setUnpack(true).setSnapshotter(snapshotter);
        registryAuth(q.header("X-Registry-Auth")).ifPresent(pull::setAuth);
        String before = currentTarget(name);
        Iterator<PullEvent> events = cd.pull().pull(pull.build());
        PullEvent first;
        try {
            // a failure before anything streamed is a plain error response, as dockerd's
            first = events.hasNext() ? events.next() : null;
        } catch (StatusRuntimeException e) {
            throw pullError(name, e);
        }
        PullProgress progress = new PullProgress(name);
        Exchange.Chunked out = x.chunked("application/json");
        try {
            out.write(progress.start());
            PullEvent e = first;
            while (e != null) {
                if (e.hasDone()) {
                    String digest = e.getDone().getTarget().getDigest();
                    for (byte[] l : progress.done(digest, digest.equals(before))) {
                        out.write(l);
                    }
                    // dockerd 20.10: the actor is the name pulled, familiar, and so is the name attribute
                    this.events.publish(DockerEvent.now("image", "pull", name.familiar(), Map.of("name", name.familiar())));
                } else {
                    for (byte[] l : progress.lines(e)) {
                        if (!out.write(l)) {
                            return; // the client went away; the pull goes on in the daemon
                        }
                    }
                }
                e = events.hasNext() ? events.next() : null;
            }
        } catch (StatusRuntimeException e) {
            out.write(PullProgress.error(pullError(name, e).getMessage()));
        } finally {
            out.end();
        }
    }

    /**
     * {@code docker save [--platform P]}: every name resolved first (a missing one, or one of another
     * platform than P, is a 404 before any byte), then the tar streamed.
     */
    void save(List<String> names, java.util.Optional<SavePlatform> platform, Exchange x) throws java.io.IOException {
        if (names.isEmpty()) {
            throw DockerApiException.badRequest("no image to save: give names=<image> (one or more)");
        }
        List<ImageSave.Named> found = save.resolve(names);
        platform.ifPresent(p -> found.forEach(n -> p.check(n.name() == null ? n.image().id() : n.name().familiar(), n.image())));
        Exchange.Chunked out = x.chunked("application/x-tar");
        try (java.io.OutputStream body = out.stream()) {
            save.write(found, body);
        }
        out.end();
    }

    /**
     * {@code docker load}: the body is streamed into a spool on disk, checked and imported whole;
     * then the JSON message stream docker load prints ("Loaded image: busybox:latest").
     */
    void load(Request q, Exchange x) throws java.io.IOException {
        List<String> lines = load.load(q.stream());
        Exchange.Chunked out = x.chunked("application/json");
        for (String l : lines) {
            out.write(JSON.writeValueAsBytes(JSON.createObjectNode().put("stream", l + "\n")));
            out.write("\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        out.end();
    }

    private DockerApiException pullError(ImageName name, StatusRuntimeException e) {
        String d = e.getStatus().getDescription();
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
            return DockerApiException.notFound("pull access denied for %s, repository does not exist or may require 'docker login': %s",
                    name.familiarRepository(), d);
        }
        return DockerApiException.internal("pulling %s failed: %s", name.familiar(), d == null ? e.getStatus().getCode() : d);
    }

    private String currentTarget(ImageName name) {
        try {
            return cd.images().get(GetImageRequest.newBuilder().setName(name.full()).build()).getImage().getTarget().getDigest();
        } catch (StatusRuntimeException e) {
            return "";
        }
    }

    /**
     * X-Registry-Auth is base64url JSON, {@code {username, password, identitytoken, serveraddress}}
     * ({@code {}} from the CLI without a login): the login for this pull only, handed to the
     * daemon's pull in the request and kept nowhere (nor logged).
     */
    static Optional<RegistryAuth> registryAuth(String header) {
        if (header == null || header.isEmpty()) {
            return Optional.empty();
        }
        JsonNode auth;
        try {
            auth = JSON.readTree(Base64.getUrlDecoder().decode(header.replace('+', '-').replace('/', '_').replace("=", "")));
        } catch (Exception e) {
            throw DockerApiException.badRequest("X-Registry-Auth is not base64-encoded JSON: %s", e.getMessage());
        }
        if (auth == null || !auth.isObject()) {
            throw DockerApiException.badRequest("X-Registry-Auth is not a JSON object of username, password, identitytoken, serveraddress");
        }
        if (auth.path("registrytoken").asText("").length() > 0) {
            throw DockerApiException.badRequest("registrytoken in X-Registry-Auth is not supported by jcontainerd: give username and password or identitytoken");
        }
        String user = auth.path("username").asText("");
        String password = auth.path("password").asText("");
        String token = auth.path("identitytoken").asText("");
        if (user.isEmpty() && password.isEmpty() && token.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(RegistryAuth.newBuilder().setUsername(user).setPassword(password).setIdentityToken(token)
                .setServerAddress(auth.path("serveraddress").asText("")).build());
    }

    void list(Request q, Exchange x) {
        ArrayNode out = JSON.createArrayNode();
        for (LocalImage i : images.list()) {
            ObjectNode n = out.addObject();
            n.put("Containers", -1);
            n.put("Created", epochSeconds(i.created()));
            n.put("Id", i.id());
            n.set("Labels", i.runConfig().path("Labels").isObject() ? i.runConfig().path("Labels") : JSON.createObjectNode());
            n.put("ParentId", "");
            n.set("RepoDigests", repoDigests(i));
            n.set("RepoTags", repoTags(i));
            n.put("SharedSize", -1);
            n.put("Size", i.size());
            n.put("VirtualSize", i.size());
        }
        x.json(200, out);
    }

    void inspect(Request q, Exchange x) {
        String ref = q.param("name");
        LocalImage i = images.find(ref).orElseThrow(() ->
                DockerApiException.notFound("no such image: %s: No such image: %s", ImageStore.familiar(ref), ImageStore.familiar(ref)));
        x.json(200, inspectJson(i));
    }

    static ObjectNode inspectJson(LocalImage i) {
        ObjectNode n = JSON.createObjectNode();
        n.put("Id", i.id());
        n.set("RepoTags", repoTags(i));
        n.set("RepoDigests", repoDigests(i));
        n.put("Parent", "");
        n.put("Comment", i.config().path("comment").asText(""));
        n.put("Created", i.created());
        n.put("DockerVersion", i.config().path("docker_version").asText(""));
        n.put("Author", i.config().path("author").asText(""));
        n.set("Config", i.runConfig().isObject() ? i.runConfig() : JSON.createObjectNode());
        n.put("Architecture", i.config().path("architecture").asText(""));
        n.put("Os", i.config().path("os").asText(""));
        n.put("Size", i.size());
        n.put("VirtualSize", i.size());
        n.putObject("GraphDriver").put("Name", "overlayfs").putObject("Data");
        ObjectNode rootfs = n.putObject("RootFS").put("Type", "layers");
        ArrayNode layers = rootfs.putArray("Layers");
        i.diffIds().forEach(layers::add);
        n.putObject("Metadata").put("LastTagTime", "0001-01-01T00:00:00Z");
        return n;
    }

    void history(Request q, Exchange x) {
        LocalImage i = images.require(q.param("name"));
        ArrayNode out = JSON.createArrayNode();
        List<JsonNode> history = new ArrayList<>();
        i.config().path("history").forEach(history::add);
        // the entries that made a layer (not empty_layer) are the layers in order; each shows that layer's size
        long[] sizes = new long[history.size()];
        int layer = 0;
        for (int k = 0; k < history.size() && layer < i.layerSizes().size(); k++) {
            if (!history.get(k).path("empty_layer").asBoolean(false)) {
                sizes[k] = i.layerSizes().get(layer++);
            }
        }
        for (int k = history.size() - 1; k >= 0; k--) {
            JsonNode h = history.get(k);
            ObjectNode n = out.addObject();
            n.put("Id", k == history.size() - 1 ? i.id() : "<missing>");
            n.put("Created", epochSeconds(h.path("created").asText("")));
            n.put("CreatedBy", h.path("created_by").asText(""));
            n.set("Tags", k == history.size() - 1 ? repoTags(i) : null);
            n.put("Size", sizes[k]);
            n.put("Comment", h.path("comment").asText(""));
        }
        x.json(200, out);
    }

    void tag(Request q, Exchange x) {
        LocalImage i = images.require(q.param("name"));
        String repo = q.query("repo", "");
        if (repo.isEmpty()) {
            throw DockerApiException.badRequest("repository name (repo) is required to tag an image");
        }
        ImageName tag = ImageName.of(repo, q.query("tag", "latest"));
        images.tag(i, tag);
        events.publish(DockerEvent.now("image", "tag", i.id(), Map.of("name", tag.familiar())));
        x.status(201);
    }

    void remove(Request q, Exchange x) {
        String ref = q.param("name");
        LocalImage i = images.require(ref);
        boolean force = q.flag("force");
        String hex = ref.startsWith("sha256:") ? ref.substring(7) : ref;
        boolean byId = hex.matches("[0-9a-f]{4,64}") && i.id().substring(7).startsWith(hex);
        List<String> untag;
        if (byId) {
            if (i.names().size() > 1 && !force) {
                throw DockerApiException.conflict("conflict: unable to delete %s (must be forced) - image is referenced in multiple repositories",
                        i.id().substring(7, 19));
            }
            untag = i.names();
        } else {
            untag = List.of(ImageName.parse(ref).full());
        }
        boolean last = untag.size() == i.names().size();
        if (last && !force) {
            containerUsing.apply(i.id()).ifPresent(c -> {
                throw DockerApiException.conflict("conflict: unable to remove repository reference \"%s\" (must force) - container %s is using its referenced image %s",
                        ref, c.substring(0, 12), i.id().substring(7, 19));
            });
        }
        ArrayNode out = JSON.createArrayNode();
        for (String n : untag) {
            images.untag(n);
            out.addObject().put("Untagged", ImageName.parse(n).familiar());
            // dockerd 20.10 names the image by its ID in untag and delete events
            events.publish(DockerEvent.now("image", "untag", i.id(), Map.of("name", i.id())));
        }
        if (last) {
            out.addObject().put("Deleted", i.id());
            events.publish(DockerEvent.now("image", "delete", i.id(), Map.of("name", i.id())));
        }
        x.json(200, out);
    }

    private static ArrayNode repoTags(LocalImage i) {
        ArrayNode a = JSON.createArrayNode();
        i.names().stream().filter(n -> !n.contains("@")).map(n -> ImageName.parse(n).familiar()).forEach(a::add);
        return a;
    }

    private static ArrayNode repoDigests(LocalImage i) {
        ArrayNode a = JSON.createArrayNode();
        i.repoDigests().forEach(a::add);
        return a;
    }

    static long epochSeconds(String rfc3339) {
        try {
            return rfc3339.isEmpty() ? 0 : Instant.parse(rfc3339).getEpochSecond();
        } catch (java.time.format.DateTimeParseException e) {
            return 0;
        }
    }
}
