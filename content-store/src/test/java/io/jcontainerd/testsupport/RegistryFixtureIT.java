package io.jcontainerd.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test registry serves, byte for byte, the images scripts/test-images.sh built. (Not named
 * TestRegistryIT: surefire runs every Test*.java as a unit test too.)
 */
class RegistryFixtureIT {

    private static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String ALL_MANIFESTS = String.join(", ", DOCKER_MANIFEST, OCI_MANIFEST,
            FixtureImages.OCI_INDEX, FixtureImages.DOCKER_MANIFEST_LIST);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static TestRegistry registry;
    private static FixtureImages images;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startRegistry() {
        registry = TestRegistry.shared();
        images = registry.images();
    }

    @Test
    void servesBusyboxLatestAsDockerSchema2ManifestWithTheFixtureDigest() throws Exception {
        HttpResponse<byte[]> r = get("/v2/library/busybox/manifests/latest", DOCKER_MANIFEST);
        FixtureImage expected = images.image("busybox:latest");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(DOCKER_MANIFEST);
        assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(expected.manifest().digest());
        assertThat(sha256(r.body())).isEqualTo(expected.manifest().digest());
        JsonNode m = JSON.readTree(r.body());
        assertThat(m.path("config").path("mediaType").asText()).isEqualTo("application/vnd.docker.container.image.v1+json");
        assertThat(m.path("layers")).hasSize(1);
        assertThat(m.path("layers").get(0).path("mediaType").asText()).isEqualTo("application/vnd.docker.image.rootfs.diff.tar.gzip");
        assertThat(m.path("layers").get(0).path("digest").asText()).isEqualTo(expected.layers().getFirst().digest());
    }

    @Test
    void busyboxConfigRunsShLikeDockerHubsBusybox() throws Exception {
        FixtureImage busybox = images.image("busybox:latest");
        JsonNode config = JSON.readTree(getBlob("busybox", busybox.config().digest()));

        assertThat(config.path("config").path("Cmd").toString()).isEqualTo("[\"sh\"]");
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
        assertThat(config.path("rootfs").path("diff_ids").get(0).asText()).isEqualTo(busybox.diffIds().getFirst());
    }

    @Test
    void busyboxLayerHoldsTheBinaryAppletLinksAndAccounts() throws Exception {
        FixtureImage busybox = images.image("busybox:latest");
        byte[] layer = getBlob("busybox", busybox.layers().getFirst().digest());
        Map<String, TarArchiveEntry> entries = entries(layer);

        assertThat(sha256(gunzip(layer))).isEqualTo(busybox.diffIds().getFirst());
        assertThat(entries.get("bin/busybox").isFile()).isTrue();
        assertThat(entries.get("bin/busybox").getMode() & 0777).isEqualTo(0755);
        assertThat(entries.get("bin/sh").isSymbolicLink()).isTrue();
        assertThat(entries.get("bin/sh").getLinkName()).isEqualTo("busybox");
        assertThat(entries.keySet()).contains("bin/ls", "bin/cat", "bin/wget", "etc/passwd", "etc/group", "tmp/", "root/");
        assertThat(entries.get("tmp/").getMode() & 07777).isEqualTo(01777);
        assertThat(entries.values()).allSatisfy(e -> {
            assertThat(e.getName()).doesNotStartWith("/").doesNotStartWith("./");
            assertThat(e.getLongUserId()).isZero();
        });
    }

    @Test
    void servesTheOciTagAsAnOciManifestOfTheSameLayer() throws Exception {
        HttpResponse<byte[]> r = get("/v2/library/busybox/manifests/oci", OCI_MANIFEST);
        FixtureImage expected = images.image("busybox:oci");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(OCI_MANIFEST);
        assertThat(sha256(r.body())).isEqualTo(expected.manifest().digest());
        assertThat(expected.layers()).extracting(FixtureBlob::digest)
                .containsExactlyElementsOf(images.image("busybox:latest").layers().stream().map(FixtureBlob::digest).toList());
    }

    @Test
    void servesMultiarchAsAnIndexOfRealAmd64AndArm64Images() throws Exception {
        HttpResponse<byte[]> r = get("/v2/library/multiarch/manifests/latest", ALL_MANIFESTS);
        FixtureIndex expected = images.index("multiarch:latest");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(FixtureImages.OCI_INDEX);
        assertThat(sha256(r.body())).isEqualTo(expected.index().digest());
        List<String> platforms = JSON.readTree(r.body()).path("manifests").valueStream()
                .map(m -> m.path("platform").path("os").asText() + "/" + m.path("platform").path("architecture").asText())
                .toList();
        assertThat(platforms).containsExactly("linux/amd64", "linux/arm64");

        // The arm64 entry is a real aarch64 busybox (ELF e_machine 183), not a relabelled amd64 one.
        FixtureImage arm64 = expected.forPlatform("linux/arm64/v8");
        HttpResponse<byte[]> child = get("/v2/library/multiarch/manifests/" + arm64.manifest().digest(), OCI_MANIFEST);
        assertThat(child.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(getBlob("multiarch", arm64.config().digest())).path("architecture").asText()).isEqualTo("arm64");
        byte[] binary = fileContent(getBlob("multiarch", arm64.layers().getFirst().digest()), "bin/busybox");
        assertThat(elfMachine(binary)).isEqualTo(183);
        byte[] amd64Binary = fileContent(getBlob("multiarch", expected.forPlatform("linux/amd64").layers().getFirst().digest()), "bin/busybox");
        assertThat(elfMachine(amd64Binary)).isEqualTo(62);
    }

    @Test
    void servesMultiarchDockerAsAManifestListOfSchema2Manifests() throws Exception {
        HttpResponse<byte[]> r = get("/v2/library/multiarch/manifests/docker", ALL_MANIFESTS);
        FixtureIndex expected = images.index("multiarch:docker");

        assertThat(r.headers().firstValue("Content-Type")).hasValue(FixtureImages.DOCKER_MANIFEST_LIST);
        assertThat(sha256(r.body())).isEqualTo(expected.index().digest());
        assertThat(expected.manifests()).extracting(FixtureImage::platform).containsExactly("linux/amd64", "linux/arm64/v8");
        assertThat(expected.manifests()).extracting(m -> m.manifest().mediaType()).containsOnly(DOCKER_MANIFEST);
        // Same layers as the OCI index: only the manifests differ.
        assertThat(expected.forPlatform("linux/arm64/v8").layers().getFirst().digest())
                .isEqualTo(images.index("multiarch:latest").forPlatform("linux/arm64/v8").layers().getFirst().digest());
    }

    @Test
    void whiteoutsLayersDeleteFilesADirectoryMakeADirectoryOpaqueAndSwapAFileAndADirectory() throws Exception {
        FixtureImage whiteouts = images.image("whiteouts:latest");
        assertThat(whiteouts.layers()).hasSize(4);
        assertThat(whiteouts.diffIds()).hasSize(4);

        Map<String, TarArchiveEntry> deletions = entries(getBlob("whiteouts", whiteouts.layers().get(2).digest()));
        Map<String, TarArchiveEntry> opaque = entries(getBlob("whiteouts", whiteouts.layers().get(3).digest()));

        assertThat(deletions.keySet()).contains("data/.wh.remove-me.txt", "data/.wh.dir-to-remove", "bin/.wh.vi");
        assertThat(deletions.get("data/dir-becomes-file").isFile()).isTrue();
        assertThat(deletions.get("data/file-becomes-dir/").isDirectory()).isTrue();
        assertThat(opaque.keySet()).contains("data/opaque/.wh..wh..opq", "data/opaque/new.txt");
        assertThat(entries(getBlob("whiteouts", whiteouts.layers().get(1).digest())).keySet())
                .contains("data/remove-me.txt", "data/dir-to-remove/a.txt", "data/opaque/old-1.txt", "data/keep.txt",
                        "data/dir-becomes-file/inside.txt", "data/file-becomes-dir");
    }

    @Test
    void edgecasesLayerHoldsEveryEntryKindAnApplierMustHandle() throws Exception {
        FixtureImage edge = images.image("edgecases:latest");
        Map<String, TarArchiveEntry> e = entries(getBlob("edgecases", edge.layers().getLast().digest()));

        assertThat(e.get("edge/hardlink-target").isLink()).isTrue();
        assertThat(e.get("edge/owned/hardlink-2").isLink()).isTrue();
        assertThat(e.get("edge/owned/hardlink-2").getLinkName()).isEqualTo(e.get("edge/hardlink-target").getLinkName());
        assertThat(e.get("edge/fifo").isFIFO()).isTrue();
        assertThat(e.get("edge/null-device").isCharacterDevice()).isTrue();
        assertThat(e.get("edge/null-device").getDevMajor()).isEqualTo(1);
        assertThat(e.get("edge/null-device").getDevMinor()).isEqualTo(3);
        assertThat(e.get("edge/setuid-busybox").getMode() & 07777).isEqualTo(04755);
        assertThat(e.get("edge/setgid-dir/").getMode() & 07777).isEqualTo(02775);
        assertThat(e.get("edge/sticky/").getMode() & 07777).isEqualTo(01777);
        assertThat(e.get("edge/owned/user-file").getLongUserId()).isEqualTo(1000);
        assertThat(e.get("edge/owned/user-file").getLongGroupId()).isEqualTo(1000);
        assertThat(e.get("edge/empty-dir/").getLongUserId()).isEqualTo(65534);
        assertThat(e.get("edge/xattr-file").getExtraPaxHeader("SCHILY.xattr.user.jcontainerd.test")).isEqualTo("hello");
        assertThat(e.get("edge/cap-busybox").getExtraPaxHeader("SCHILY.xattr.security.capability")).isNotEmpty();
        assertThat(e.keySet()).anySatisfy(name -> assertThat(name).endsWith("/file-behind-a-path-longer-than-255-bytes.txt")
                .hasSizeGreaterThan(255));
        assertThat(e.get("edge/symlink-with-long-target").getLinkName()).hasSizeGreaterThan(100);
        assertThat(e.get("edge/absolute-symlink").getLinkName()).isEqualTo("/bin/busybox");
        assertThat(e.keySet()).contains("edge/ünïcødé-名前.txt", "edge/name with spaces.txt", "edge/empty-file", "edge/dangling-symlink");
    }

    @Test
    void largeImageHasSevenGzipLayersOfBinaryLikeData() {
        FixtureImage large = images.image("large:latest");

        assertThat(large.layers()).hasSizeGreaterThanOrEqualTo(7);
        assertThat(large.layers()).extracting(FixtureBlob::mediaType).containsOnly("application/vnd.oci.image.layer.v1.tar+gzip");
        long compressed = large.layers().stream().mapToLong(FixtureBlob::size).sum();
        assertThat(compressed).isGreaterThan(100L << 20);
        assertThat(large.layers()).extracting(FixtureBlob::digest).doesNotHaveDuplicates();
    }

    @Test
    void largeLayerBlobsAreServedWhole() throws Exception {
        FixtureImage large = images.image("large:latest");
        FixtureBlob last = large.layers().getLast();

        byte[] blob = getBlob("large", last.digest());

        assertThat(blob.length).isEqualTo(last.size());
        assertThat(sha256(blob)).isEqualTo(last.digest());
        assertThat(sha256(gunzip(blob))).isEqualTo(large.diffIds().getLast());
    }

    @Test
    void zstdImageHasAZstdCompressedLayer() throws Exception {
        FixtureImage zstd = images.image("zstd:latest");

        assertThat(zstd.layers()).extracting(FixtureBlob::mediaType).containsExactly("application/vnd.oci.image.layer.v1.tar+zstd");
        byte[] blob = getBlob("zstd", zstd.layers().getFirst().digest());
        assertThat(HexFormat.of().formatHex(blob, 0, 4)).isEqualTo("28b52ffd");
        assertThat(zstd.diffIds()).isEqualTo(images.image("busybox:oci").diffIds());
    }

    @Test
    void uncompressedImageServesItsLayerAsAPlainTar() throws Exception {
        FixtureImage plain = images.image("uncompressed:latest");
        HttpResponse<byte[]> r = get("/v2/library/uncompressed/manifests/latest", OCI_MANIFEST);

        assertThat(sha256(r.body())).isEqualTo(plain.manifest().digest());
        assertThat(plain.layers()).extracting(FixtureBlob::mediaType).containsExactly("application/vnd.oci.image.layer.v1.tar");
        byte[] blob = getBlob("uncompressed", plain.layers().getFirst().digest());
        assertThat(new String(blob, 257, 5, StandardCharsets.US_ASCII)).isEqualTo("ustar");
        assertThat(sha256(blob)).isEqualTo(plain.diffIds().getFirst());
    }

    @Test
    void aSecondRegistryServesTheSameStorageAndStopsAloneOnClose() throws Exception {
        FixtureImage busybox = images.image("busybox:latest");
        URI second;
        try (TestRegistry other = TestRegistry.start()) {
            assertThat(other.port()).isNotEqualTo(registry.port());
            second = other.baseUri();
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(second + "/v2/library/busybox/manifests/latest"))
                    .header("Accept", DOCKER_MANIFEST).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(busybox.manifest().digest());
        }

        assertThat(answers(second)).as("the closed registry at %s still answers", second).isFalse();
        assertThat(get("/v2/", "*/*").statusCode()).isEqualTo(200);
    }

    @Test
    void skopeoInspectsBusyboxWithTheFixtureDigest() throws Exception {
        FixtureScripts.requireTool("skopeo", "skopeo");
        String out = run("skopeo", "inspect", "--tls-verify=false", "docker://" + registry.reference("busybox:latest"));

        assertThat(JSON.readTree(out).path("Digest").asText()).isEqualTo(images.image("busybox:latest").manifest().digest());
    }

    @Test
    void ctrResolvesDockerIoBusyboxThroughTheHostsDir() throws Exception {
        FixtureScripts.requireTool("ctr", "containerd");
        String hostsToml = Files.readString(registry.hostsDir().resolve("docker.io/hosts.toml"));
        assertThat(hostsToml).contains("server = \"http://" + registry.host() + "\"").contains("capabilities = [\"pull\", \"resolve\"]")
                .contains("[host.\"http://" + registry.host() + "\"]").doesNotContain("registry-1.docker.io");

        // fetch-object resolves and fetches client-side: no containerd daemon needed.
        byte[] manifest = runBytes("ctr", "content", "fetch-object", "--hosts-dir", registry.hostsDir().toString(),
                TestRegistry.dockerHubReference("busybox:latest"));

        assertThat(sha256(manifest)).isEqualTo(images.image("busybox:latest").manifest().digest());
    }

    // --- helpers ---------------------------------------------------------------------------------

    private static HttpResponse<byte[]> get(String path, String accept) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(registry.baseUri() + path)).header("Accept", accept).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private static boolean answers(URI base) throws InterruptedException {
        try {
            HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v2/")).build(), HttpResponse.BodyHandlers.discarding());
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static byte[] getBlob(String image, String digest) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = get("/v2/library/" + image + "/blobs/" + digest, "*/*");
        assertThat(r.statusCode()).as("GET blob %s of library/%s", digest, image).isEqualTo(200);
        assertThat(sha256(r.body())).as("digest of blob %s", digest).isEqualTo(digest);
        return r.body();
    }

    private static String sha256(byte[] data) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static Map<String, TarArchiveEntry> entries(byte[] gzippedTar) throws IOException {
        Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(gunzip(gzippedTar)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries.put(e.getName(), e);
            }
        }
        return entries;
    }

    private static byte[] fileContent(byte[] gzippedTar, String name) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(gunzip(gzippedTar)))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return tar.readAllBytes();
                }
            }
        }
        throw new AssertionError("no " + name + " in the layer");
    }

    /** e_machine of an ELF file: 62 is x86-64, 183 is AArch64. */
    private static int elfMachine(byte[] elf) {
        assertThat(new String(elf, 1, 3, StandardCharsets.US_ASCII)).isEqualTo("ELF");
        return (elf[18] & 0xff) | (elf[19] & 0xff) << 8;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        return new String(runBytes(command), StandardCharsets.UTF_8);
    }

    private static byte[] runBytes(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
        assertThat(p.exitValue()).as("exit status of %s", String.join(" ", command)).isZero();
        return out;
    }
}
