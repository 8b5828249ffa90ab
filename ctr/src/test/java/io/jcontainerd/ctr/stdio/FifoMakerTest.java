package io.jcontainerd.ctr.stdio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FifoMakerTest {
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    @Test
    void thisJvmMakesThemByMknodAsBinJctrDoes() {
        // ctr's surefire argLine opens sun.nio.fs as bin/jctr does; without it every run would spawn mkfifo again
        assertTrue(FifoMaker.direct(), "sun.nio.fs is not open to jctr: FIFOs would be made by a mkfifo process");
    }

    @Test
    void mknodMakesFifosOfMode0600() throws IOException {
        assertFifos(paths(dir("direct")), FifoMaker::make);
    }

    @Test
    void theMkfifoProcessMakesTheSame() throws IOException {
        assertFifos(paths(dir("process")), FifoMaker::mkfifoProcess);
    }

    @Test
    void anExistingPathIsRefusedNamingIt() throws IOException {
        Path taken = Files.createFile(dir("taken").resolve("x-stdout"));
        IOException e = assertThrows(IOException.class, () -> FifoMaker.make(List.of(taken)));
        assertTrue(e.getMessage().contains(taken.toString()) && e.getMessage().contains("File exists"), e.getMessage());
        assertTrue(Files.isRegularFile(taken));
    }

    @Test
    void fifoSetMakesItsFifosInAPrivateDirectory() throws IOException {
        FifoSet set = FifoSet.create(dir("set"), "c1", false);
        try {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(set.dir())));
            for (Path p : List.of(set.stdin(), set.stdout(), set.stderr())) {
                assertFifo(p);
            }
        } finally {
            set.delete();
        }
        assertTrue(Files.notExists(set.dir()));
    }

    @TempDir
    Path tmp;

    private Path dir(String name) throws IOException {
        return Files.createDirectory(tmp.resolve(name));
    }

    private static List<Path> paths(Path dir) {
        return List.of(dir.resolve("c-stdin"), dir.resolve("c-stdout"), dir.resolve("c-stderr"));
    }

    private interface Maker {
        void make(List<Path> paths) throws IOException;
    }

    private static void assertFifos(List<Path> paths, Maker maker) throws IOException {
        maker.make(paths);
        for (Path p : paths) {
            assertFifo(p);
        }
    }

    private static void assertFifo(Path p) throws IOException {
        int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        assertEquals(S_IFIFO, mode & S_IFMT, p + " is not a FIFO: mode " + Integer.toOctalString(mode));
        assertEquals(0600, mode & 07777, p + ": mode " + Integer.toOctalString(mode));
    }
}
