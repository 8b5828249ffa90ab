package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jcontainerd.api.services.tasks.v1.CloseIORequest;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import io.jcontainerd.supervisor.docker.http.Exchange;
import io.jcontainerd.supervisor.docker.http.FrameBatch;
import io.jcontainerd.supervisor.docker.http.RawStream;
import io.jcontainerd.supervisor.docker.http.Request;
import io.jcontainerd.supervisor.docker.http.Router;
import io.jcontainerd.supervisor.docker.http.StreamFrames;
import io.jcontainerd.supervisor.docker.images.ImageName;
import io.jcontainerd.supervisor.docker.images.ImageStore;
import io.jcontainerd.supervisor.docker.images.LocalImage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.stream.Collectors;

/** {@code /containers/...}: the HTTP side of {@link ContainerManager}, streams included (attach, wait, logs). */
public final class ContainerRoutes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final ContainerRows rows = new ContainerRows();
    private static final String RAW_STREAM = "application/vnd.docker.raw-stream";
    private final ContainerManager containers;
    private final ImageStore images;
    /** The exec IDs of a container, for inspect's ExecIDs. */
    private final Function<String, List<String>> execIds;

    private final ContainerArchive archive;

    public ContainerRoutes(ContainerManager containers, ImageStore images, Function<String, List<String>> execIds, ContainerArchive archive) {
        this.archive = archive;
        this.containers = containers;
        this.images = images;
        this.execIds = execIds;
    }

    public void register(Router r) {
        r.add("POST", "/containers/create", this::create)
                .add("GET", "/containers/json", this::list)
                .add("POST", "/containers/prune", this::prune)
                .add("GET", "/containers/{id}/json", (q, x) -> {
                    LiveContainer c = lookup(q);
                    x.json(200, ContainerJson.inspect(c.doc(), execIds.apply(c.id()), containers.networking().sandbox(c.id())));
                })
                .add("POST", "/containers/{id}/start", (q, x) -> {
                    containers.start(lookup(q));
                    x.noContent();
                })
                .add("POST", "/containers/{id}/wait", this::await)
                .add("GET", "/containers/{id}/top", (q, x) -> x.json(200, Top.of(containers, lookup(q), q.query("ps_args", "-ef"))))
                .add("POST", "/containers/{id}/attach", this::attach)
                .add("GET", "/containers/{id}/logs", this::logs)
                .add("POST", "/containers/{id}/stop", (q, x) -> {
                    containers.stop(lookup(q), timeout(q));
                    x.noContent();
                })
                .add("POST", "/containers/{id}/restart", (q, x) -> {
                    containers.restart(lookup(q), timeout(q));
                    x.noContent();
                })
                .add("POST", "/containers/{id}/kill", (q, x) -> {
                    containers.kill(lookup(q), q.query("signal", ""));
                    x.noContent();
                })
                .add("POST", "/containers/{id}/pause", (q, x) -> {
                    containers.pause(lookup(q));
                    x.noContent();
                })
                .add("POST", "/containers/{id}/unpause", (q, x) -> {
                    containers.unpause(lookup(q));
                    x.noContent();
                })
                .add("POST", "/containers/{id}/rename", (q, x) -> {
                    containers.rename(lookup(q), q.query("name", ""));
                    x.noContent();
                })
                .add("POST", "/containers/{id}/resize", (q, x) -> {
                    containers.resize(lookup(q), (int) q.number("h", 0), (int) q.number("w", 0));
                    x.status(200);
                })
                .add("HEAD", "/containers/{id}/archive", (q, x) ->
                        x.full(200, new byte[0], null, Map.of(STAT_HEADER, archive.stat(lookup(q), archivePath(q)))))
                .add("GET", "/containers/{id}/archive", (q, x) -> {
                    LiveContainer c = lookup(q);
                    Exchange.Chunked[] out = {null};
                    archive.archive(c, archivePath(q), stat -> {
                        out[0] = x.chunked("application/x-tar", Map.of(STAT_HEADER, stat));
                        return out[0].stream();
                    });
                    out[0].end();
                })
                .addStreaming("PUT", "/containers/{id}/archive", (q, x) -> {
                    archive.extract(lookup(q), archivePath(q), q.stream());
                    x.status(200);
                })
                .add("DELETE", "/containers/{id}", (q, x) -> {
                    if (q.flag("link")) {
                        throw DockerApiException.badRequest("links are not supported by jcontainerd's Docker API");
                    }
                    containers.removeByClient(q.param("id"), q.flag("force"), q.flag("v"));
                    x.noContent();
                });
    }

    private static final String STAT_HEADER = "X-Docker-Container-Path-Stat";

    private static String archivePath(Request q) {
        String p = q.query("path", "");
        if (p.isEmpty()) {
            throw DockerApiException.badRequest("path is required: name the file or directory in the container");
        }
        return p;
    }

    private LiveContainer lookup(Request q) {
        return containers.lookup(q.param("id"));
    }

    private static Integer timeout(Request q) {
        String t = q.query("t", null);
        if (t == null || t.isEmpty()) {
            return null;
        }
        return (int) q.number("t", 10);
    }

    void create(Request q, Exchange x) {
        LiveContainer c = containers.create(q.query("name", ""), q.json());
        ObjectNode out = JSON.createObjectNode().put("Id", c.id());
        out.putArray("Warnings");
        x.json(201, out);
    }

    void list(Request q, Exchange x) {
        boolean all = q.flag("all");
        long limit = q.number("limit", -1);
        ContainerFilters filters = ContainerFilters.parse(q.query("filters", ""));
        if (limit > 0) {
            all = true;
        }
        Map<String, LocalImage> byId = images.list().stream().collect(Collectors.toMap(LocalImage::id, i -> i, (a, b) -> a));
        Instant now = Instant.now();
        List<ContainerDocument> docs = new ArrayList<>(containers.all().stream().map(LiveContainer::doc).toList());
        docs.sort(Comparator.comparing(ContainerDocument::created).reversed());
        Map<List<String>, String> shown = new HashMap<>(); // (name, ID) -> what IMAGE shows: one parse per image
        ByteArrayOutputStream out = new ByteArrayOutputStream(docs.size() * 800 + 2);
        out.write('[');
        int count = 0;
        for (ContainerDocument d : docs) {
            boolean statusFilter = filters.values().containsKey("status");
            if (!all && !d.state().running() && !statusFilter) {
                continue;
            }
            LocalImage img = byId.get(d.imageId());
            List<String> names = img == null ? List.of() : img.names();
            if (!filters.matches(d, names)) {
                continue;
            }
            if (limit > 0 && count >= limit) {
                break;
            }
            if (count++ > 0) {
                out.write(',');
            }
            String image = shown.computeIfAbsent(List.of(d.image(), d.imageId()), k -> imageShown(d, img));
            rows.write(out, d, image, containers.networking().sandbox(d.id()), now);
        }
        out.write(']');
        rows.keepOnly(containers.all().stream().map(LiveContainer::id).collect(Collectors.toSet()));
        x.full(200, out.toByteArray(), "application/json", Map.of());
    }

    /** What ps shows in IMAGE: the name the container was created with, or the ID if that name moved on. */
    private static String imageShown(ContainerDocument d, LocalImage img) {
        try {
            if (img != null && img.names().contains(ImageName.parse(d.image()).full())) {
                return d.image();
            }
        } catch (DockerApiException e) {
            // created by ID
        }
        return img == null ? d.imageId() : d.image();
    }

    void prune(Request q, Exchange x) {
        ArrayNode deleted = JSON.createArrayNode();
        for (LiveContainer c : List.copyOf(containers.all())) {
            if (!c.running() && !c.doc().state().status().equals("created")) {
                if (containers.remove(c, false)) {
                    deleted.add(c.id());
                }
            }
        }
        ObjectNode out = JSON.createObjectNode();
        out.set("ContainersDeleted", deleted.isEmpty() ? null : deleted);
        out.put("SpaceReclaimed", 0);
        x.json(200, out);
    }

    /** {@code POST /containers/{id}/wait}: the head at once, the body when the condition is met. */
    void await(Request q, Exchange x) throws InterruptedException {
        LiveContainer c = lookup(q);
        String condition = q.query("condition", "not-running");
        CompletableFuture<Integer> f = switch (condition) {
            case "removed" -> c.removedFuture();
            case "next-exit" -> c.nextExit();
            case "not-running", "" -> c.running() ? c.nextExit() : CompletableFuture.completedFuture(c.doc().state().exitCode());
            default -> throw DockerApiException.badRequest("invalid condition: \"%s\" (use not-running, next-exit or removed)", condition);
        };
        Exchange.Chunked out = x.chunked("application/json");
        Integer code = null;
        while (code == null && out.open()) {
            try {
                code = f.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                // look whether the client is still there
            } catch (ExecutionException e) {
                code = -1;
            }
        }
        if (code != null) {
            out.write(("{\"Error\":null,\"StatusCode\":" + code + "}\n").getBytes(StandardCharsets.UTF_8));
        }
        out.end();
    }

    /** {@code POST /containers/{id}/attach}: hijacked, frames without TTY, raw with; stdin to the process. */
    void attach(Request q, Exchange x) {
        LiveContainer c = lookup(q);
        boolean tty = c.doc().tty();
        boolean stdout = q.flag("stdout");
        boolean stderr = q.flag("stderr");
        boolean stream = q.flag("stream");
        boolean upgrade = "tcp".equalsIgnoreCase(q.header("Upgrade"));
        RawStream s = x.hijack(upgrade, RAW_STREAM);
        if (q.flag("logs")) {
            try {
                FrameBatch frames = new FrameBatch(tty, s::write);
                byte[] none = new byte[0];
                c.log().read(new LogFile.Query(stdout, stderr, null, null, -1, false), () -> false,
                        e -> e == null ? frames.flush() : frames.add(e.stream(), none, e.text()));
                frames.flush();
            } catch (IOException e) {
                s.close();
                return;
            }
        }
        containers.emit(c, "attach", Map.of()); // as dockerd: after the logs replayed, streamed or not
        if (!stream) {
            s.close();
            return;
        }
        OutputSink sink = new OutputSink() {
            @Override
            public void output(int st, byte[] data) {
                if ((st == StreamFrames.STDOUT && stdout) || (st == StreamFrames.STDERR && stderr) || tty) {
                    s.write(StreamFrames.encode(tty, st, data));
                }
            }

            @Override
            public void end() {
                s.close();
            }
        };
        c.attach(sink);
        s.onClose(() -> c.detach(sink));
        if (q.flag("stdin") && c.doc().openStdin()) {
            Thread.ofVirtual().name("docker-stdin").start(() -> copyStdin(c, s.input()));
        }
    }

    private void copyStdin(LiveContainer c, InputStream in) {
        byte[] buf = new byte[32 * 1024];
        ProcessStdio io = null;
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (io == null) {
                    io = c.awaitStdio(60_000);
                    if (io == null) {
                        return;
                    }
                }
                io.writeStdin(buf, 0, n);
            }
        } catch (IOException e) {
            // the client or the process went away
        }
        if (c.doc().config().path("StdinOnce").asBoolean(false)) {
            ProcessStdio run = io != null ? io : c.awaitStdio(60_000);
            if (run != null) {
                run.closeStdin();
                try {
                    containers.containerd().tasks().closeIO(CloseIORequest.newBuilder().setContainerId(c.id()).setStdin(true).build());
                } catch (RuntimeException e) {
                    // the task has gone already
                }
            }
        }
    }

    /** {@code GET /containers/{id}/logs}: chunked, frames without TTY; follow waits for more while it runs. */
    void logs(Request q, Exchange x) throws IOException {
        LiveContainer c = lookup(q);
        boolean stdout = q.flag("stdout");
        boolean stderr = q.flag("stderr");
        if (!stdout && !stderr) {
            throw DockerApiException.badRequest("You must choose at least one stream");
        }
        String tailText = q.query("tail", "all");
        int tail;
        try {
            tail = tailText.equals("all") || tailText.isEmpty() ? -1 : Math.max(0, Integer.parseInt(tailText));
        } catch (NumberFormatException e) {
            throw DockerApiException.badRequest("invalid value for tail: %s (a number or all)", tailText);
        }
        Instant since = time(q, "since");
        Instant until = time(q, "until");
        boolean timestamps = q.flag("timestamps");
        boolean tty = c.doc().tty();
        Exchange.Chunked out = x.chunked(null);
        FrameBatch frames = new FrameBatch(tty, out::write);
        byte[] none = new byte[0];
        c.log().read(new LogFile.Query(stdout, stderr, since, until, tail, q.flag("follow")), c::running, e -> {
            if (e == null) {
                return frames.flush() && out.open(); // caught up: send what is held before waiting for more
            }
            byte[] ts = timestamps ? (e.time().toString() + " ").getBytes(StandardCharsets.UTF_8) : none;
            return frames.add(e.stream(), ts, e.text());
        });
        frames.flush();
        out.end();
    }

    /** since/until: Unix seconds with an optional fraction; 0 or absent is no limit. */
    static Instant time(Request q, String name) {
        String v = q.query(name, "");
        if (v.isEmpty() || v.equals("0")) {
            return null;
        }
        try {
            BigDecimal d = new BigDecimal(v);
            long s = d.longValue();
            int nanos = d.subtract(BigDecimal.valueOf(s)).movePointRight(9).intValue();
            return Instant.ofEpochSecond(s, nanos);
        } catch (NumberFormatException | ArithmeticException e) {
            try {
                return Instant.parse(v);
            } catch (RuntimeException r) {
                throw DockerApiException.badRequest("invalid value for %s: %s (Unix seconds or RFC 3339)", name, v);
            }
        }
    }
}
