package io.jcontainerd.network.store;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Records of one type kept as JSON files in one directory, {@code <key>.json}, mode 0600, each
 * replaced atomically (write a temporary file, rename), so a crash leaves the old or the new record.
 * A record read is kept in memory with the identity of the file it came from (inode, mtime): as
 * every write renames a new file into place, one stat tells whether the kept record is still the
 * file's, also when another process (jctr run with CNI) wrote it. A {@code docker ps} of 100
 * containers costs 100 stats instead of 100 reads and JSON parses.
 */
public final class RecordStore<T> {
    private static final ObjectMapper JSON = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,200}");
    private static final long MAX_RECORD = 4 << 20;

    private final Path dir;
    private final Class<T> type;
    private final ConcurrentHashMap<String, Kept<T>> kept = new ConcurrentHashMap<>();

    /** A record as read from the file {@code fileKey} last modified at {@code modified}. */
    private record Kept<V>(Path file, Object fileKey, FileTime modified, long size, V value) {
        boolean of(BasicFileAttributes a) {
            return Objects.equals(fileKey, a.fileKey()) && modified.equals(a.lastModifiedTime()) && size == a.size();
        }
    }

    public RecordStore(Path dir, Class<T> type) {
        this.dir = dir;
        this.type = type;
    }

    public Path dir() {
        return dir;
    }

    public void put(String key, T value) {
        Path file = file(key);
        try {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path tmp = dir.resolve("." + key + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(value));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw JcdException.unavailable("cannot write network record %s: %s", file, e.getMessage());
        } finally {
            kept.remove(key);
        }
    }

    public Optional<T> get(String key) {
        Kept<T> k = kept.get(key);
        Path file = k != null ? k.file() : file(key); // a kept key was checked when first read
        try {
            // the file's identity first, then its bytes: a record replaced in between is read again next time
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            if (k != null && k.of(a)) {
                return Optional.of(k.value());
            }
            if (a.size() > MAX_RECORD) {
                throw JcdException.failedPrecondition("network record %s is larger than %d bytes: it is not ours, remove it", file, MAX_RECORD);
            }
            T value = JSON.readValue(Files.readAllBytes(file), type);
            kept.put(key, new Kept<>(file, a.fileKey(), a.lastModifiedTime(), a.size(), value));
            return Optional.of(value);
        } catch (NoSuchFileException e) {
            kept.remove(key);
            return Optional.empty();
        } catch (IOException e) {
            throw JcdException.failedPrecondition("network record %s cannot be read: %s (remove it if it is damaged)", file, e.getMessage());
        }
    }

    public List<T> all() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<T> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.endsWith(".json") && !name.startsWith(".")) {
                    get(name.substring(0, name.length() - 5)).ifPresent(out::add);
                }
            }
        } catch (IOException e) {
            throw JcdException.unavailable("cannot list network records in %s: %s", dir, e.getMessage());
        }
        return out;
    }

    public boolean delete(String key) {
        try {
            return Files.deleteIfExists(file(key));
        } catch (IOException e) {
            throw JcdException.unavailable("cannot delete network record %s: %s", file(key), e.getMessage());
        } finally {
            kept.remove(key);
        }
    }

    private Path file(String key) {
        if (!KEY.matcher(key).matches()) {
            throw JcdException.invalidArgument("network record key \"%s\" must be letters, digits, '.', '_', '-'", key);
        }
        return dir.resolve(key + ".json");
    }
}
