package io.jcontainerd.runtime.container;

import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.Json;
import io.jcontainerd.runtime.spec.SpecJson;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The --root directory: one folder per container holding state.json and, until start, exec.fifo. */
public final class StateStore {
    private static final Pattern ID = Pattern.compile("^[\\w+\\-.]+$");
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> PRIVATE_DIR_MODE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------");
    private static final java.nio.file.attribute.FileAttribute<?> PRIVATE_DIR =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(PRIVATE_DIR_MODE);
    private static final java.nio.file.attribute.FileAttribute<?> PRIVATE_FILE =
            java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    private final Path root;

    public StateStore(Path root) { this.root = root; }

    public Path root() { return root; }
    public Path dir(String id) { return root.resolve(id); }
    public Path fifo(String id) { return dir(id).resolve("exec.fifo"); }

    public static void validateId(String id) {
        if (id == null || id.isEmpty() || !ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            throw JruncException.invalidArgument("invalid container id %s: use letters, digits, _ + - .", id);
        }
    }

    /** Reserves the id atomically; a second create of the same id fails here. */
    public Path reserve(String id) {
        validateId(id);
        try {
            // like runc's state directory: root's alone (state.json holds the whole spec, env included)
            Files.createDirectories(root, PRIVATE_DIR);
            if (!Files.getPosixFilePermissions(root).equals(PRIVATE_DIR_MODE)) Files.setPosixFilePermissions(root, PRIVATE_DIR_MODE);
            return Files.createDirectory(dir(id), PRIVATE_DIR);
        } catch (FileAlreadyExistsException e) {
            throw JruncException.alreadyExists("container %s already exists in %s: pick another id or delete it first", id, root);
        } catch (IOException e) {
            throw JruncException.system("cannot create %s: %s", dir(id), e.getMessage());
        }
    }

    /** Writes state.json atomically; the spec is kept as the original config.json tree. */
    public void save(ContainerState s, Object configTree) {
        Path target = dir(s.id()).resolve("state.json");
        Path tmp = dir(s.id()).resolve("state.json.tmp");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ociVersion", s.ociVersion());
        m.put("id", s.id());
        m.put("pid", (long) s.pid());
        m.put("pidStartTime", s.pidStartTime());
        m.put("bundle", s.bundle());
        m.put("rootfs", s.rootfs());
        m.put("created", s.created());
        m.put("owner", s.owner());
        m.put("annotations", new LinkedHashMap<>(s.annotations()));
        m.put("cgroupsPath", s.cgroupsPath());
        m.put("newPidNamespace", s.newPidNamespace());
        m.put("config", configTree);
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PRIVATE_FILE);
            Files.writeString(tmp, Json.write(m), java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw JruncException.system("cannot write %s: %s", target, e.getMessage());
        }
    }

    public ContainerState load(String id) {
        validateId(id);
        return find(id).orElseThrow(() -> JruncException.notFound("container %s does not exist in %s", id, root));
    }

    @SuppressWarnings("unchecked")
    public Optional<ContainerState> find(String id) {
        Path file = dir(id).resolve("state.json");
        if (!Files.isRegularFile(file)) return Optional.empty(); // not a container (yet): creating, or a stray file in --root
        try {
            Map<String, Object> m = (Map<String, Object>) Json.parse(Files.readString(file));
            Map<String, String> annotations = new LinkedHashMap<>();
            ((Map<String, Object>) m.getOrDefault("annotations", Map.of())).forEach((k, v) -> annotations.put(k, String.valueOf(v)));
            return Optional.of(new ContainerState((String) m.get("ociVersion"), (String) m.get("id"),
                    ((Number) m.get("pid")).intValue(), ((Number) m.get("pidStartTime")).longValue(), (String) m.get("bundle"),
                    (String) m.get("rootfs"), (String) m.get("created"), (String) m.get("owner"), annotations,
                    (String) m.get("cgroupsPath"), Boolean.TRUE.equals(m.get("newPidNamespace")), SpecJson.spec(m.get("config"))));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            throw JruncException.system("corrupt state for container %s in %s: %s", id, file, e.getMessage());
        }
    }

    /** The config.json tree kept in state.json, to be changed and saved again with {@link #save}. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> configTree(String id) {
        Path file = dir(id).resolve("state.json");
        try {
            return (Map<String, Object>) ((Map<String, Object>) Json.parse(Files.readString(file))).get("config");
        } catch (IOException | RuntimeException e) {
            throw JruncException.system("corrupt state for container %s in %s: %s", id, file, e.getMessage());
        }
    }

    public List<ContainerState> all() {
        List<ContainerState> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.filter(Files::isDirectory).sorted().toList()) find(p.getFileName().toString()).ifPresent(out::add);
        } catch (IOException e) {
            throw JruncException.system("cannot list %s: %s", root, e.getMessage());
        }
        return out;
    }

    public void remove(String id) {
        Path d = dir(id);
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw JruncException.system("cannot remove %s: %s", d, e.getMessage());
        }
    }
}
