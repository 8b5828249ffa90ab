package io.jcontainerd.supervisor.docker.images;

import io.jcontainerd.config.DaemonConfig;
import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import io.jcontainerd.supervisor.docker.http.DockerApiException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Stream;

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

    @Test
    void anArchivePastLoadMaxBytesIsRefusedWith413NamingTheSettingAndNothingStaysSpooled(@TempDir Path tmp) throws IOException {
        // two files of 600 KiB: the first fits a 1 MiB cap, the second does not
        byte[] archive = tar(Map.of("a", 600 << 10, "b", 600 << 10));
        assertThatThrownBy(() -> ArchiveSpool.read(new ByteArrayInputStream(archive), tmp, new DaemonConfig.DockerLoad(1 << 20, 0)))
                .isInstanceOfSatisfying(DockerApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageContaining("larger than 1048576 bytes").hasMessageContaining("load_max_bytes in the [docker] section");
        assertThat(list(tmp)).as("the spool directory is removed").isEmpty();

        try (ArchiveSpool s = ArchiveSpool.read(new ByteArrayInputStream(archive), tmp, new DaemonConfig.DockerLoad(2 << 20, 0))) {
            assertThat(s.require("b", "test").size()).isEqualTo(600 << 10);
        }
        assertThat(list(tmp)).isEmpty();
    }

    @Test
    void anEntryDeclaringMoreThanTheCapIsRefusedBeforeItsBytesArrive(@TempDir Path tmp) throws IOException {
        // a header claiming 1 GiB followed by 512 bytes: refused at the header, not read until the stream ends
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] header;
        try (TarWriter w = new TarWriter(out)) {
            w.write(new TarEntry("layer.tar", TarEntry.Type.FILE, 0644, 0, 0, 1L << 30, 0, 0, "", 0, 0, Map.of()),
                    new ByteArrayInputStream(new byte[0]) {
                        @Override
                        public int read(byte[] b, int off, int len) {
                            throw new IllegalStateException("stop after the header");
                        }
                    });
        } catch (IllegalStateException expected) {
            // the header is out
        }
        header = Arrays.copyOf(out.toByteArray(), 1024);
        assertThatThrownBy(() -> ArchiveSpool.read(new ByteArrayInputStream(header), tmp, new DaemonConfig.DockerLoad(1 << 20, 0)))
                .isInstanceOfSatisfying(DockerApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageContaining("at entry layer.tar of 1073741824 bytes");
        assertThat(list(tmp)).isEmpty();
    }

    @Test
    void anArchiveThatWouldLeaveLessThanLoadMinFreeBytesFreeIsRefusedWith413(@TempDir Path tmp) throws IOException {
        long free = Files.getFileStore(tmp).getUsableSpace();
        byte[] archive = tar(Map.of("a", 4096));
        assertThatThrownBy(() -> ArchiveSpool.read(new ByteArrayInputStream(archive), tmp, new DaemonConfig.DockerLoad(Long.MAX_VALUE, free + (1L << 30))))
                .isInstanceOfSatisfying(DockerApiException.class, e -> assertThat(e.status()).isEqualTo(413))
                .hasMessageContaining("would leave less than").hasMessageContaining("load_min_free_bytes");
        assertThat(list(tmp)).isEmpty();
    }

    private static byte[] tar(Map<String, Integer> sizes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarWriter w = new TarWriter(out)) {
            for (String name : sizes.keySet().stream().sorted().toList()) {
                int n = sizes.get(name);
                w.write(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, n, 0, 0, "", 0, 0, Map.of()), new ByteArrayInputStream(new byte[n]));
            }
        }
        return out.toByteArray();
    }

    private static java.util.List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
