package io.jcontainerd.supervisor.docker.images;

import io.jcontainerd.supervisor.docker.http.DockerApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageNameTest {
    @Test
    void shortNamesAreDockerHubLibraryImagesTaggedLatest() {
        assertThat(ImageName.parse("busybox").full()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(ImageName.parse("busybox:1.36").full()).isEqualTo("docker.io/library/busybox:1.36");
        assertThat(ImageName.parse("me/app").full()).isEqualTo("docker.io/me/app:latest");
        assertThat(ImageName.parse("docker.io/library/busybox:latest").familiar()).isEqualTo("busybox:latest");
        assertThat(ImageName.parse("index.docker.io/me/app:2").familiar()).isEqualTo("me/app:2");
    }

    @Test
    void aFirstComponentWithADotAColonOrLocalhostIsARegistry() {
        assertThat(ImageName.parse("127.0.0.1:5000/x").full()).isEqualTo("127.0.0.1:5000/x:latest");
        assertThat(ImageName.parse("localhost/x:t").familiar()).isEqualTo("localhost/x:t");
        assertThat(ImageName.parse("ghcr.io/o/r").familiarRepository()).isEqualTo("ghcr.io/o/r");
    }

    @Test
    void pullsFromImageAndTagCombineAndDigestsStayDigests() {
        assertThat(ImageName.of("docker.io/library/busybox", "latest").full()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(ImageName.of("busybox", "").full()).isEqualTo("docker.io/library/busybox:latest");
        String digest = "sha256:" + "a".repeat(64);
        assertThat(ImageName.of("busybox", digest).full()).isEqualTo("docker.io/library/busybox@" + digest);
        assertThat(ImageName.parse("busybox@" + digest).tag()).isNull();
    }

    @Test
    void malformedReferencesAreBadRequestsThatSayWhy() {
        assertThatThrownBy(() -> ImageName.parse("BusyBox")).isInstanceOf(DockerApiException.class)
                .hasMessageContaining("must be lowercase").extracting(e -> ((DockerApiException) e).status()).isEqualTo(400);
        assertThatThrownBy(() -> ImageName.parse("busybox:bad tag")).hasMessageContaining("invalid tag");
        assertThatThrownBy(() -> ImageName.parse("")).hasMessageContaining("invalid reference format");
        assertThatThrownBy(() -> ImageName.parse("x".repeat(600))).hasMessageContaining("longer than 512");
    }
}
