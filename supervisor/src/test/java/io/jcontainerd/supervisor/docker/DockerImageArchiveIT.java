package io.jcontainerd.supervisor.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarReader;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import io.jcontainerd.testsupport.Cli;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code docker save} and {@code docker load} with the real CLI 28: a round trip through
 * save, rmi, load and run; archives written by skopeo (docker-archive and OCI layout); and
 * hostile archives, each refused with a 4xx naming what is wrong and leaving no image and no
 * spooled file behind.
 */
class DockerImageArchiveIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path FIXTURE_IMAGES = Path.of(System.getenv().getOrDefault("JCD_TEST_IMAGE_CACHE", "/var/cache/jcontainerd-test/images"));
    @TempDir
    Path dir;
    DockerFixture d;
    final String tag = Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36);

    @BeforeEach
    void start() {
        d = new DockerFixture(dir.resolve("daemon"));
    }

    @AfterEach
    void stop() {
        d.close();
    }

    @Test
    void savedImageIsLoadedBackAfterRmiAndRuns() throws Exception {
        d.pullBusybox();
        Path archive = dir.resolve("busybox.tar");
        Cli.Result save = d.docker("save", "-o", archive.toString(), "busybox");
        assertThat(save.exit()).as(save.toString()).isZero();
        Map<String, byte[]> entries = read(archive);
        JsonNode manifest = JSON.readTree(entries.get("manifest.json"));
        assertThat(manifest).hasSize(1);
        assertThat(manifest.get(0).path("RepoTags").get(0).asText()).isEqualTo("busybox:latest");
        String config = manifest.get(0).path("Config").asText();
        assertThat(entries).containsKey(config).containsKey("repositories");
        String layer = manifest.get(0).path("Layers").get(0).asText();
        JsonNode diffIds = JSON.readTree(entries.get(config)).path("rootfs").path("diff_ids");
        assertThat("sha256:" + sha256(entries.get(layer))).as("layer.tar is the uncompressed layer").isEqualTo(diffIds.get(0).asText());
        String id = d.docker("inspect", "--format", "{{.Id}}", "busybox").out().strip();

        assertThat(d.docker("rmi", "busybox").exit()).isZero();
        assertThat(d.docker("images", "-q").out()).isEmpty();
        Cli.Result load = d.docker("load", "-i", archive.toString());
        assertThat(load.exit()).as(load.toString()).isZero();
        assertThat(load.out()).contains("Loaded image: busybox:latest");
        assertThat(d.docker("inspect", "--format", "{{.Id}}", "busybox").out().strip()).as("the same image ID").isEqualTo(id);
        Cli.Result run = d.docker("run", "--rm", "--network", "none", "busybox", "echo", "round trip");
        assertThat(run.exit()).as(run.toString()).isZero();
        assertThat(run.out()).isEqualTo("round trip\n");
        assertThat(spooled()).as("nothing left in the spool").isEmpty();
    }

    @Test
    void skopeosDockerArchiveAndOciArchiveAreLoadedAndRun() throws Exception {
        // skopeo reads only OCI manifests from a layout: the fixture's busybox:oci
        Cli.requireTool("/usr/bin/skopeo", "skopeo");
        Path dockerArchive = dir.resolve("skopeo-docker.tar");
        String name = "skopeo/busybox:" + tag;
        Cli.Result copy = Cli.run(List.of("skopeo", "--insecure-policy", "copy", "oci:" + FIXTURE_IMAGES + ":busybox:oci",
                "docker-archive:" + dockerArchive + ":" + name), Map.of(), 120);
        assertThat(copy.exit()).as(copy.toString()).isZero();
        Cli.Result load = d.docker("load", "-i", dockerArchive.toString());
        assertThat(load.exit()).as(load.toString()).isZero();
        assertThat(load.out()).contains("Loaded image: " + name);
        Cli.Result run = d.docker("run", "--rm", "--network", "none", name, "echo", "from skopeo");
        assertThat(run.out()).as(run.toString()).isEqualTo("from skopeo\n");

        Path ociArchive = dir.resolve("skopeo-oci.tar");
        String ociName = "busybox:oci-" + tag;
        copy = Cli.run(List.of("skopeo", "--insecure-policy", "copy", "oci:" + FIXTURE_IMAGES + ":busybox:oci",
                "oci-archive:" + ociArchive + ":" + ociName), Map.of(), 120);
        assertThat(copy.exit()).as(copy.toString()).isZero();
        load = d.docker("load", "-i", ociArchive.toString());
        assertThat(load.exit()).as(load.toString()).isZero();
        assertThat(load.out()).contains("Loaded image: " + ociName);
        run = d.docker("run", "--rm", "--network", "none", ociName, "echo", "from an OCI layout");
        assertThat(run.out()).as(run.toString()).isEqualTo("from an OCI layout\n");
    }

    @Test
    void hostileArchivesAreRefusedWithA400AndLeaveNoImage() throws Exception {
        byte[] layer = tar(Map.of("hello.txt", "hi\n".getBytes(StandardCharsets.UTF_8)), Map.of());
        String diffId = "sha256:" + sha256(layer);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + diffId + "\"]}}").getBytes(StandardCharsets.UTF_8);
        String configName = sha256(config) + ".json";
        String repo = "hostile-" + tag;
        byte[] manifest = ("[{\"Config\":\"" + configName + "\",\"RepoTags\":[\"" + repo + ":x\"],\"Layers\":[\"l/layer.tar\"]}]")
                .getBytes(StandardCharsets.UTF_8);

        Map<String, byte[]> good = new HashMap<>(Map.of("l/layer.tar", layer, configName, config, "manifest.json", manifest));
        assertLoaded(tar(good, Map.of()), repo + ":x");
        assertThat(d.docker("rmi", repo + ":x").exit()).isZero();

        Map<String, byte[]> traversal = new HashMap<>(good);
        traversal.put("../escape.txt", "x".getBytes(StandardCharsets.UTF_8));
        assertRefused(tar(traversal, Map.of()), "climbs out of the archive", repo);

        Map<String, byte[]> linked = new HashMap<>(good);
        linked.remove("manifest.json");
        assertRefused(tar(linked, Map.of("manifest.json", "/etc/passwd")), "links to /etc/passwd, an absolute path", repo);
        assertRefused(tar(linked, Map.of("manifest.json", "../../../etc/passwd")), "climbs out of the archive", repo);

        Map<String, byte[]> altered = new HashMap<>(good);
        altered.put("l/layer.tar", tar(Map.of("hello.txt", "HI\n".getBytes(StandardCharsets.UTF_8)), Map.of()));
        assertRefused(tar(altered, Map.of()), "the archive is corrupt or was altered", repo);

        Map<String, byte[]> missing = new HashMap<>(good);
        missing.remove("l/layer.tar");
        assertRefused(tar(missing, Map.of()), "lacks l/layer.tar", repo);

        Map<String, byte[]> longName = new HashMap<>(good);
        longName.put("x/" + "n".repeat(2 << 20), new byte[0]);
        assertRefused(tar(longName, Map.of()), "not a valid tar stream", repo);

        assertRefused("this is not a tar".getBytes(StandardCharsets.UTF_8), "", repo);
        assertThat(spooled()).as("nothing left in the spool").isEmpty();
    }

    /**
     * docker save --platform, which CLI 28 sends as API 1.48's platform parameter (JSON): the image's own
     * platform saves the same archive as without it; another is a 404 naming both platforms; two
     * platforms or one that is not a platform are a 400. At the facade's advertised API 1.41 the CLI
     * itself refuses the flag, so these run with DOCKER_API_VERSION=1.48.
     */
    @Test
    void saveWithThePlatformOfTheImageSavesItAndAnotherPlatformIsRefusedNamingIt() throws Exception {
        d.pullBusybox();
        Map<String, String> env = new HashMap<>(d.env());
        env.put("DOCKER_API_VERSION", "1.48");
        Path plain = dir.resolve("plain.tar");
        Path amd64 = dir.resolve("amd64.tar");
        assertThat(d.docker("save", "-o", plain.toString(), "busybox").exit()).isZero();
        Cli.Result same = Cli.run(List.of(DockerFixture.DOCKER, "save", "--platform", "linux/amd64", "-o", amd64.toString(), "busybox"), env, 120);
        assertThat(same.exit()).as(same.toString()).isZero();
        assertThat(Files.readAllBytes(amd64)).as("the same archive as without --platform").isEqualTo(Files.readAllBytes(plain));

        Cli.Result other = Cli.run(List.of(DockerFixture.DOCKER, "save", "--platform", "linux/arm64", "-o", dir.resolve("arm64.tar").toString(), "busybox"),
                env, 120);
        assertThat(other.exit()).as(other.toString()).isNotZero();
        assertThat(other.err()).contains("image with reference busybox:latest was found but does not provide the specified platform (linux/arm64): it is linux/amd64");
        assertThat(dir.resolve("arm64.tar")).doesNotExist();

        Cli.Result oldApi = d.docker("save", "--platform", "linux/amd64", "busybox");
        assertThat(oldApi.exit()).as("the CLI at the advertised API 1.41: " + oldApi).isNotZero();
        assertThat(oldApi.err()).contains("1.48");

        String base = "http://localhost/v1.48/images/get?names=busybox&platform=";
        Cli.Result two = curl(base + "%7B%22os%22%3A%22linux%22%2C%22architecture%22%3A%22amd64%22%7D&platform=linux%2Farm64");
        assertThat(two.out()).contains("multiple platform parameters not supported: give one platform, got [{").endsWith("\n400");
        Cli.Result garbage = curl(base + "%7Bnot%20json");
        assertThat(garbage.out()).startsWith("{\"message\":\"failed to parse platform {not json: ").endsWith("\n400");
        Path json = dir.resolve("json.tar");
        Cli.Result x8664 = curl(base + "%7B%22os%22%3A%22linux%22%2C%22architecture%22%3A%22x86_64%22%7D", json);
        assertThat(x8664.out()).as("x86_64 is amd64").isEqualTo("\n200");
        assertThat(Files.readAllBytes(json)).isEqualTo(Files.readAllBytes(plain));
    }

    /** GET through the Docker socket with curl: the body, a newline and the status code. */
    private Cli.Result curl(String url) {
        return curl(url, null);
    }

    /** The same with the body written to {@code body} (null: printed before the status code). */
    private Cli.Result curl(String url, Path body) {
        Cli.Result r = Cli.run(List.of("curl", "-s", "-o", body == null ? "-" : body.toString(), "-w", "\\n%{http_code}", "--unix-socket",
                d.socket.toString(), url), Map.of(), 60);
        assertThat(r.exit()).as(r.toString()).isZero();
        return r;
    }

    private void assertLoaded(byte[] archive, String name) throws IOException {
        Path f = Files.write(dir.resolve("ok-" + tag + ".tar"), archive);
        Cli.Result load = d.docker("load", "-i", f.toString());
        assertThat(load.exit()).as(load.toString()).isZero();
        assertThat(load.out()).contains("Loaded image: " + name);
        assertThat(d.docker("image", "inspect", "--format", "{{len .RootFS.Layers}}", name).out()).isEqualTo("1\n");
    }

    private void assertRefused(byte[] archive, String message, String repo) throws IOException {
        Path f = Files.write(dir.resolve("hostile-" + tag + ".tar"), archive);
        Cli.Result load = d.docker("load", "-i", f.toString());
        assertThat(load.exit()).as(load.toString()).isEqualTo(1);
        assertThat(load.err()).as(load.toString()).contains("Error response from daemon").contains(message);
        assertThat(d.docker("images", "--format", "{{.Repository}}").out()).as("no image was made").doesNotContain(repo);
    }

    private List<Path> spooled() throws IOException {
        Path tmp = dir.resolve("daemon/root/docker/tmp");
        if (!Files.isDirectory(tmp)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(tmp)) {
            return s.toList();
        }
    }

    private static byte[] tar(Map<String, byte[]> files, Map<String, String> symlinks) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(out)) {
            for (var e : new java.util.TreeMap<>(files).entrySet()) {
                w.write(new TarEntry(e.getKey(), TarEntry.Type.FILE, 0644, 0, 0, e.getValue().length, 0, 0, "", 0, 0, Map.of()),
                        new ByteArrayInputStream(e.getValue()));
            }
            for (var e : symlinks.entrySet()) {
                w.write(new TarEntry(e.getKey(), TarEntry.Type.SYMLINK, 0777, 0, 0, 0, 0, 0, e.getValue(), 0, 0, Map.of()),
                        InputStream.nullInputStream());
            }
        }
        return out.toByteArray();
    }

    private static Map<String, byte[]> read(Path archive) throws IOException {
        Map<String, byte[]> out = new HashMap<>();
        try (InputStream in = Files.newInputStream(archive)) {
            TarReader r = new TarReader(in);
            TarEntry e;
            while ((e = r.next()) != null) {
                if (e.type() == TarEntry.Type.FILE) {
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    byte[] buf = new byte[65536];
                    long left = e.size();
                    while (left > 0) {
                        int n = r.read(buf, 0, (int) Math.min(buf.length, left));
                        b.write(buf, 0, n);
                        left -= n;
                    }
                    out.put(e.name(), b.toByteArray());
                }
            }
        }
        return out;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
