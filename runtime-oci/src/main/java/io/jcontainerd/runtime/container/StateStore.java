package io.jcontainerd.runtime.container;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.runtime.JruncException;
import io.jcontainerd.runtime.spec.SpecLoader;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The --root directory: one folder per container holding state.json and, until start, exec.fifo. */
public final class StateStore {
    private static final Pattern ID = Pattern.compile("^[\\w+\\-.]+$");
    private final Path root;
    private final ObjectMapper json = SpecLoader.mapper();

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
            Files.createDirectories(root);
            return Files.createDirectory(dir(id));
        } catch (FileAlreadyExistsException e) {
            throw JruncException.alreadyExists("container %s already exists in %s: pick another id or delete it first", id, root);
        } catch (IOException e) {
            throw JruncException.system("cannot create %s: %s", dir(id), e.getMessage());
        }
    }

    public void save(ContainerState s) {
        Path target = dir(s.id()).resolve("state.json");
        Path tmp = dir(s.id()).resolve("state.json.tmp");
        try {
            json.writeValue(tmp.toFile(), s);
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

    public Optional<ContainerState> find(String id) {
        try {
            return Optional.of(json.readValue(dir(id).resolve("state.json").toFile(), ContainerState.class));
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw JruncException.system("corrupt state for container %s in %s: %s", id, dir(id), e.getMessage());
        }
    }

    public List<ContainerState> all() {
        List<ContainerState> out = new ArrayList<>();
        if (!Files.isDirectory(root)) return out;
        try (Stream<Path> s = Files.list(root)) {
            for (Path p : s.sorted().toList()) find(p.getFileName().toString()).ifPresent(out::add);
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
