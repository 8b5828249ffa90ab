package io.jcontainerd.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The modes containerd keeps its files in, given at creation (a file is never readable by others, not even
 * for the moment between create and chmod): directories others may pass through but not list (root, state:
 * 0711), private directories (stores, bundles, shim sockets: 0700), private files (specs, state, logs: 0600).
 */
public final class FileModes {
    public static final Set<PosixFilePermission> TRAVERSE_ONLY = PosixFilePermissions.fromString("rwx--x--x");
    public static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");
    public static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

    private FileModes() {
    }

    /** Creates dir (its parents as they come) with mode, or gives an existing one that mode. */
    public static Path directory(Path dir, Set<PosixFilePermission> mode) throws IOException {
        if (dir.getParent() != null) {
            Files.createDirectories(dir.getParent());
        }
        try {
            Files.createDirectory(dir, attribute(mode));
        } catch (FileAlreadyExistsException e) {
            // kept, with the mode below
        }
        if (!Files.getPosixFilePermissions(dir).equals(mode)) {
            Files.setPosixFilePermissions(dir, mode);
        }
        return dir;
    }

    /** Writes file with mode 0600 from its creation on; an existing file is made 0600 before it is overwritten. */
    public static void writePrivate(Path file, byte[] data) throws IOException {
        privateFile(file);
        Files.write(file, data, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    public static void writePrivate(Path file, String text) throws IOException {
        writePrivate(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a 0600 temporary file next to file and renames it over file: readers see all or nothing. */
    public static void writePrivateAtomically(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, attribute(PRIVATE_FILE));
        Files.writeString(tmp, text, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Creates an empty 0600 file (a log to append to), or makes an existing regular file 0600. */
    public static Path privateFile(Path file) throws IOException {
        try {
            Files.createFile(file, attribute(PRIVATE_FILE));
        } catch (FileAlreadyExistsException e) {
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) && !Files.getPosixFilePermissions(file).equals(PRIVATE_FILE)) {
                Files.setPosixFilePermissions(file, PRIVATE_FILE);
            }
        }
        return file;
    }

    public static FileAttribute<Set<PosixFilePermission>> attribute(Set<PosixFilePermission> mode) {
        return PosixFilePermissions.asFileAttribute(mode);
    }
}
