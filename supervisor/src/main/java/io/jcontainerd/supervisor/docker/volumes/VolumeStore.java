package io.jcontainerd.supervisor.docker.volumes;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The local volume driver: each volume a directory {@code <dir>/<name>} with its data in
 * {@code _data} and its description in {@code volume.json}; {@code dir} itself is 0700 (root
 * only, as the data of other users' containers is in there). Found again at daemon start.
 */
public final class VolumeStore {
    private static final Logger LOG = Logger.getLogger(VolumeStore.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]+");
    private static final SecureRandom RANDOM = new SecureRandom();
    private final Path dir;
    private final Map<String, Volume> volumes = new ConcurrentHashMap<>();

    public VolumeStore(Path dir) {
        this.dir = dir;
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the volumes directory " + dir + ": " + e.getMessage(), e);
        }
        load();
    }

    public Path dir() {
        return dir;
    }

    private void load() {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Path meta = p.resolve("volume.json");
                if (!Files.isRegularFile(meta)) {
                    continue;
                }
                try {
                    Volume v = JSON.readValue(meta.toFile(), Volume.class);
                    volumes.put(v.name(), v);
                } catch (IOException e) {
                    LOG.warning(() -> "volume " + p.getFileName() + " has an unreadable volume.json, skipped: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the volumes in " + dir + ": " + e.getMessage(), e);
        }
    }

    public List<Volume> all() {
        List<Volume> out = new ArrayList<>(volumes.values());
        out.sort(Comparator.comparing(Volume::name));
        return out;
    }

    public Optional<Volume> find(String name) {
        return Optional.ofNullable(name == null ? null : volumes.get(name));
    }

    public Volume get(String name) {
        return find(name).orElseThrow(() -> DockerApiException.notFound("get %s: no such volume", name));
    }

    /** The volume of this name, made now if there is none (as {@code docker volume create} and {@code -v name:/path}). */
    public synchronized Volume create(String name, Map<String, String> labels) {
        if (name == null || name.isEmpty()) {
            return createNamed(newName(), labels, false);
        }
        if (!NAME.matcher(name).matches()) {
            throw DockerApiException.badRequest("create %s: \"%s\" includes invalid characters for a local volume name, "
                    + "only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path", name, name);
        }
        Volume have = volumes.get(name);
        return have != null ? have : createNamed(name, labels, false);
    }

    /** A volume made for one container's {@code -v /path} or image VOLUME: a random name, removed by {@code rm -v}. */
    public synchronized Volume createAnonymous() {
        return createNamed(newName(), Map.of(Volume.ANONYMOUS_LABEL, ""), true);
    }

    private String newName() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private Volume createNamed(String name, Map<String, String> labels, boolean anonymous) {
        Path home = dir.resolve(name);
        Path data = home.resolve("_data");
        Volume v = new Volume(name, data.toString(), labels, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(), anonymous);
        try {
            Files.createDirectories(data);
            Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path tmp = home.resolve("volume.json.tmp");
            JSON.writeValue(tmp.toFile(), v);
            try {
                Files.move(tmp, home.resolve("volume.json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, home.resolve("volume.json"), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteTree(home);
            throw new UncheckedIOException("cannot create volume " + name + " in " + home + ": " + e.getMessage(), e);
        }
        volumes.put(name, v);
        return v;
    }

    /** Removes the volume and its data; the caller has checked that no container uses it. */
    public synchronized void remove(String name) {
        Volume v = get(name);
        Path home = dir.resolve(v.name());
        // volume.json first: a half-removed volume is not found again at the next start
        try {
            Files.deleteIfExists(home.resolve("volume.json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove volume " + name + ": " + e.getMessage(), e);
        }
        volumes.remove(name);
        deleteTree(home);
    }

    /** The size of a volume's data in bytes (for system df), -1 if it cannot be read. */
    public long size(Volume v) {
        try (var walk = Files.walk(Path.of(v.mountpoint()))) {
            return walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            walk.sorted(Comparator.reverseOrder()).forEach(x -> x.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            LOG.warning(() -> "removing " + p + ": " + e.getMessage());
        }
    }
}
