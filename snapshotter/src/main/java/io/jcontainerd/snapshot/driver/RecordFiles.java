package io.jcontainerd.snapshot.driver;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.snapshot.Kind;
import io.jcontainerd.snapshot.Usage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The driver's own records: {@code <root>/metadata/<id>.json}, one small JSON file per snapshot,
 * replaced atomically (write a temporary file, fsync, rename). Rewriting one file per change keeps
 * prepare/commit/remove cheap whatever the number of snapshots; the whole directory is read once
 * when the driver opens.
 */
final class RecordFiles {
    /** The JSON shape, kept apart from the record so the file format is explicit and stable. */
    record Json(int version, long id, String key, String kind, String parent, Map<String, String> labels,
                String created, String updated, long size, long inodes) {
    }

    private static final int VERSION = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private final Path dir;

    RecordFiles(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    List<SnapshotRecord> loadAll() throws IOException {
        List<SnapshotRecord> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                Json j = JSON.readValue(f.toFile(), Json.class);
                out.add(new SnapshotRecord(j.id(), j.key(), Kind.valueOf(j.kind()), j.parent(), j.labels(),
                        Instant.parse(j.created()), Instant.parse(j.updated()), new Usage(j.size(), j.inodes())));
            }
        }
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(dir, "*.tmp")) {
            for (Path f : leftovers) {
                Files.deleteIfExists(f); // a write interrupted before its rename
            }
        }
        return out;
    }

    void write(SnapshotRecord r) throws IOException {
        Json j = new Json(VERSION, r.id(), r.key(), r.kind().name(), r.parent(), r.labels(),
                r.created().toString(), r.updated().toString(), r.usage().size(), r.usage().inodes());
        Path tmp = dir.resolve(r.id() + ".json.tmp");
        ByteBuffer bytes = ByteBuffer.wrap(JSON.writeValueAsBytes(j));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(false); // the data must be on disk before the rename makes it the record
        }
        try {
            Files.move(tmp, file(r.id()), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file(r.id()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    void delete(long id) throws IOException {
        Files.deleteIfExists(file(id));
    }

    private Path file(long id) {
        return dir.resolve(id + ".json");
    }
}
