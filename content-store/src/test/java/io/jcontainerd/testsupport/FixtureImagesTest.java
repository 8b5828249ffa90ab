package io.jcontainerd.testsupport;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading expected digests from an OCI layout, on a small hand-written layout. */
class FixtureImagesTest {

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String GZIP_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";

    @TempDir
    Path layout;

    private FixtureBlob config;
    private FixtureBlob manifest;
    private FixtureBlob index;

    @BeforeEach
    void writeLayout() throws Exception {
        Files.createDirectories(layout.resolve("blobs/sha256"));
        config = blob("application/vnd.oci.image.config.v1+json",
                "{\"architecture\":\"arm64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + "d".repeat(64) + "\"]}}");
        manifest = blob(OCI_MANIFEST, "{\"schemaVersion\":2,\"config\":" + json(config)
                + ",\"layers\":[{\"mediaType\":\"" + GZIP_LAYER + "\",\"digest\":\"sha256:" + "a".repeat(64) + "\",\"size\":42}]}");
        index = blob(FixtureImages.OCI_INDEX, "{\"schemaVersion\":2,\"manifests\":[" + json(manifest).replace("}",
                ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}}") + "]}");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":["
                + json(manifest).replace("}", ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"one:latest\"}}") + ","
                + json(index).replace("}", ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"many:latest\"}}") + "]}");
    }

    @Test
    void readsAnImagesManifestConfigLayersAndDiffIds() {
        FixtureImage image = FixtureImages.read(layout).image("one:latest");

        assertThat(image.manifest()).isEqualTo(manifest);
        assertThat(image.config()).isEqualTo(config);
        assertThat(image.layers()).containsExactly(new FixtureBlob(GZIP_LAYER, "sha256:" + "a".repeat(64), 42));
        assertThat(image.diffIds()).containsExactly("sha256:" + "d".repeat(64));
        assertThat(image.platform()).isEqualTo("linux/arm64");
    }

    @Test
    void readsAnIndexWithThePlatformOfEachEntry() {
        FixtureIndex many = FixtureImages.read(layout).index("many:latest");

        assertThat(many.index()).isEqualTo(index);
        assertThat(many.forPlatform("linux/arm64/v8").manifest()).isEqualTo(manifest);
        assertThatThrownBy(() -> many.forPlatform("linux/s390x")).hasMessageContaining("linux/arm64/v8");
    }

    @Test
    void namesTheRightAccessorWhenAskedForTheWrongKind() {
        FixtureImages images = FixtureImages.read(layout);

        assertThatThrownBy(() -> images.image("many:latest")).hasMessageContaining("use index(\"many:latest\")");
        assertThatThrownBy(() -> images.index("one:latest")).hasMessageContaining("use image(\"one:latest\")");
    }

    @Test
    void anUnknownNameListsTheImagesTheLayoutHas() {
        assertThatThrownBy(() -> FixtureImages.read(layout).image("nope:latest"))
                .hasMessageContaining("no image nope:latest").hasMessageContaining("one:latest").hasMessageContaining("many:latest");
    }

    @Test
    void blobPathPointsIntoTheLayout() {
        assertThat(FixtureImages.read(layout).blobPath(manifest.digest())).isRegularFile().startsWith(layout);
    }

    private FixtureBlob blob(String mediaType, String content) throws IOException, NoSuchAlgorithmException {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.write(layout.resolve("blobs/sha256").resolve(hex), bytes);
        return new FixtureBlob(mediaType, "sha256:" + hex, bytes.length);
    }

    private static String json(FixtureBlob d) {
        return "{\"mediaType\":\"" + d.mediaType() + "\",\"digest\":\"" + d.digest() + "\",\"size\":" + d.size() + "}";
    }
}
