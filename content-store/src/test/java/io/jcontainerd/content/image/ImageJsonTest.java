package io.jcontainerd.content.image;

import io.jcontainerd.config.errdefs.InvalidArgumentException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageJsonTest {

    private static final String H = "b".repeat(64);

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesADockerSchema2Manifest() {
        String json = """
                {"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
                 "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1457,"digest":"sha256:%s"},
                 "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2591575,"digest":"sha256:%s"}]}
                """.formatted(H, "c".repeat(64));
        Manifest m = ImageJson.manifest(utf8(json), Digest.of(utf8(json)));
        assertThat(m.config().kind()).isEqualTo(MediaTypes.Kind.CONFIG);
        assertThat(m.layers()).singleElement().satisfies(l -> {
            assertThat(l.size()).isEqualTo(2591575);
            assertThat(MediaTypes.compressionOf(l.mediaType())).isEqualTo(MediaTypes.Compression.GZIP);
            assertThat(l.ingestRef()).isEqualTo("layer-sha256:" + "c".repeat(64));
        });
    }

    @Test
    void parsesAnIndexWithPlatforms() {
        String json = """
                {"schemaVersion":2,"manifests":[
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":10,"digest":"sha256:%s",
                   "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
                  {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":11,"digest":"sha256:%s",
                   "platform":{"architecture":"amd64","os":"linux","os.version":"1"}}]}
                """.formatted(H, "d".repeat(64));
        Digest d = Digest.of(utf8(json));
        assertThat(ImageJson.detectMediaType(utf8(json), d)).isEqualTo(MediaTypes.OCI_INDEX);
        Index i = ImageJson.index(utf8(json), d);
        assertThat(i.manifests()).hasSize(2);
        assertThat(i.manifests().get(1).findPlatform()).hasValueSatisfying(p -> {
            assertThat(p.format()).isEqualTo("linux/amd64");
            assertThat(p.osVersion()).isEqualTo("1");
        });
    }

    @Test
    void parsesTheImageConfigFieldsARuntimeNeeds() {
        String json = """
                {"architecture":"amd64","os":"linux","config":{"Env":["PATH=/bin"],"Cmd":["sh"],"Entrypoint":["/init"],
                 "WorkingDir":"/w","User":"1000:1000","Labels":{"a":"b"},"StopSignal":"SIGQUIT",
                 "ExposedPorts":{"80/tcp":{}},"Volumes":{"/data":{}}},
                 "rootfs":{"type":"layers","diff_ids":["sha256:%s"]},
                 "history":[{"created_by":"ADD file","empty_layer":false}]}
                """.formatted(H);
        ImageConfig c = ImageJson.config(utf8(json), Digest.of(utf8(json)));
        assertThat(c.platform().format()).isEqualTo("linux/amd64");
        assertThat(c.config().env()).containsExactly("PATH=/bin");
        assertThat(c.config().cmd()).containsExactly("sh");
        assertThat(c.config().entrypoint()).containsExactly("/init");
        assertThat(c.config().workingDir()).isEqualTo("/w");
        assertThat(c.config().user()).isEqualTo("1000:1000");
        assertThat(c.config().labels()).containsEntry("a", "b");
        assertThat(c.config().stopSignal()).isEqualTo("SIGQUIT");
        assertThat(c.config().exposedPortSet()).containsExactly("80/tcp");
        assertThat(c.config().volumeSet()).containsExactly("/data");
        assertThat(c.rootfs().diffIds()).containsExactly(Digest.parse("sha256:" + H));
        assertThat(c.history()).singleElement().extracting(ImageConfig.History::createdBy).isEqualTo("ADD file");
    }

    @Test
    void malformedJsonNamesTheDigest() {
        byte[] junk = utf8("{\"schemaVersion\":2,\"config\":");
        Digest d = Digest.of(junk);
        assertThatThrownBy(() -> ImageJson.manifest(junk, d))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(d.toString())
                .hasMessageContaining("manifest");
    }

    @Test
    void badDigestInsideAManifestIsNamed() {
        byte[] json = utf8("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:nothex\",\"size\":1},\"layers\":[]}");
        Digest d = Digest.of(json);
        assertThatThrownBy(() -> ImageJson.manifest(json, d))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(d.toString())
                .hasMessageContaining("sha256:nothex");
    }

    @Test
    void refusesSchema1AndManifestsOver4MiB() {
        byte[] v1 = utf8("{\"schemaVersion\":1,\"config\":{\"digest\":\"sha256:" + H + "\",\"size\":1}}");
        assertThatThrownBy(() -> ImageJson.manifest(v1, Digest.of(v1))).hasMessageContaining("schemaVersion 1");
        byte[] big = new byte[(4 << 20) + 1];
        assertThatThrownBy(() -> ImageJson.manifest(big, Digest.of(big)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("over the 4194304 byte limit");
    }

    @Test
    void writesDescriptorsInTheOciShape() {
        Descriptor d = new Descriptor(MediaTypes.OCI_CONFIG, Digest.parse("sha256:" + H), 5);
        assertThat(new String(ImageJson.write(d), StandardCharsets.UTF_8))
                .isEqualTo("{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"sha256:" + H + "\",\"size\":5}");
    }
}
