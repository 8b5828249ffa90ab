package io.jcontainerd.supervisor.docker.images;

import io.jcontainerd.supervisor.docker.http.DockerApiException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveSpoolTest {
    @Test
    void entryNamesAreRelativeToTheArchiveTopAndNeverClimbOutOfIt() {
        assertThat(ArchiveSpool.clean("./manifest.json")).isEqualTo("manifest.json");
        assertThat(ArchiveSpool.clean("abc//layer.tar")).isEqualTo("abc/layer.tar");
        assertThatThrownBy(() -> ArchiveSpool.clean("/etc/passwd")).isInstanceOf(DockerApiException.class)
                .hasMessageContaining("is an absolute path");
        assertThatThrownBy(() -> ArchiveSpool.clean("a/../../x")).hasMessageContaining("climbs out of the archive");
    }

    @Test
    void linksMayPointAnywhereInsideTheArchiveButNotOutOfIt() {
        // skopeo's docker-archive: <id>/layer.tar -> ../<digest>.tar
        assertThat(ArchiveSpool.linkTarget("id/layer.tar", "id", "../0c55.tar")).isEqualTo("0c55.tar");
        assertThat(ArchiveSpool.linkTarget("x", "", "blobs/sha256/ab")).isEqualTo("blobs/sha256/ab");
        assertThatThrownBy(() -> ArchiveSpool.linkTarget("manifest.json", "", "../../etc/passwd"))
                .hasMessageContaining("climbs out of the archive");
        assertThatThrownBy(() -> ArchiveSpool.linkTarget("id/layer.tar", "id", "../../x")).hasMessageContaining("climbs out");
        assertThatThrownBy(() -> ArchiveSpool.linkTarget("manifest.json", "", "/etc/passwd")).hasMessageContaining("an absolute path");
    }
}
