package io.jcontainerd.supervisor.docker.images;

import io.jcontainerd.snapshot.apply.tar.TarEntry;
import io.jcontainerd.snapshot.apply.tar.TarWriter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** dockerd 20.10's layer size (moby pkg/directory.Size of the applied overlay2 diff directory), read from the tar. */
class UnpackedSizeTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final TarWriter tar = new TarWriter(bytes);

    private void dir(String name) throws IOException {
        tar.write(new TarEntry(name, TarEntry.Type.DIR, 0755, 0, 0, 0, 0, 0, "", 0, 0, Map.of()), InputStream.nullInputStream());
    }

    private void file(String name, int size) throws IOException {
        tar.write(new TarEntry(name, TarEntry.Type.FILE, 0644, 0, 0, size, 0, 0, "", 0, 0, Map.of()), new ByteArrayInputStream(new byte[size]));
    }

    private void link(String name, TarEntry.Type type, String target) throws IOException {
        tar.write(new TarEntry(name, type, 0777, 0, 0, 0, 0, 0, target, 0, 0, Map.of()), InputStream.nullInputStream());
    }

    private long size() throws IOException {
        tar.close();
        return UnpackedSize.of(new ByteArrayInputStream(bytes.toByteArray()));
    }

    @Test
    void filesCountTheirBytesAndDirectoriesAndEmptyFilesNothing() throws IOException {
        dir("bin/");
        file("bin/busybox", 1000);
        file("etc/passwd", 30);
        file("etc/empty", 0);
        tar.write(new TarEntry("dev/null", TarEntry.Type.CHAR, 0666, 0, 0, 0, 0, 0, "", 1, 3, Map.of()), InputStream.nullInputStream());
        assertThat(size()).isEqualTo(1030);
    }

    @Test
    void aHardlinkIsTheSameInodeCountedOnceAndASymlinkCountsItsTargetsLength() throws IOException {
        file("bin/busybox", 1000);
        link("bin/ls", TarEntry.Type.HARDLINK, "bin/busybox");
        link("./bin/cat", TarEntry.Type.HARDLINK, "/bin/busybox");
        link("bin/sh", TarEntry.Type.SYMLINK, "busybox"); // 7 bytes
        assertThat(size()).isEqualTo(1007);
    }

    @Test
    void aLaterEntryReplacesAnEarlierOneAndEverythingUnderIt() throws IOException {
        file("a", 100);
        file("a", 10);           // replaced: 10
        dir("d/");
        file("d/x", 50);
        file("d", 5);            // a file where the directory was: d/x is gone
        dir("e/");
        file("e/y", 7);
        dir("e/");               // a directory over a directory keeps what it holds
        assertThat(size()).isEqualTo(10 + 5 + 7);
    }

    @Test
    void aWhiteoutIsAnEmptyDeviceInPlaceOfItsNameAndAnOpaqueMarkerIsNothing() throws IOException {
        file("data/gone.txt", 40);
        file("data/.wh.gone.txt", 0);
        file("data/kept", 3);
        file("data/.wh..wh..opq", 0);
        file("data/.wh.from-a-lower-layer", 0);
        assertThat(size()).isEqualTo(3);
    }

    @Test
    void aHardlinkWhoseFileIsReplacedKeepsTheOldInode() throws IOException {
        file("a", 100);
        link("b", TarEntry.Type.HARDLINK, "a");
        file("a", 1);            // a new inode at a; b still holds the 100 bytes
        assertThat(size()).isEqualTo(101);
    }

    @Test
    void namesAreCleanedWithinTheLayersRoot() {
        assertThat(UnpackedSize.clean("./bin//busybox")).isEqualTo("bin/busybox");
        assertThat(UnpackedSize.clean("/etc/../../etc/passwd")).isEqualTo("etc/passwd");
        assertThat(UnpackedSize.clean("./")).isEmpty();
    }

    @Test
    void aCorruptTarIsAnErrorNotASize() {
        byte[] junk = new byte[1024];
        junk[0] = 'x';
        assertThatThrownBy(() -> UnpackedSize.of(new ByteArrayInputStream(junk))).isInstanceOf(IOException.class);
    }
}
