package io.jcontainerd.supervisor.docker.containers;

import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.security.SecureRandom;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The facade's containers by ID, and the names they hold. A name is claimed in one step
 * (two concurrent creates or renames never get the same one) and released with its container.
 */
final class ContainerTable {
    private static final Pattern NAME = Pattern.compile("/?[a-zA-Z0-9][a-zA-Z0-9_.-]+");

    private final Map<String, LiveContainer> byId = new ConcurrentHashMap<>();
    private final Map<String, String> names = new ConcurrentHashMap<>();

    Collection<LiveContainer> all() {
        return byId.values();
    }

    LiveContainer get(String id) {
        return byId.get(id);
    }

    boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** True if {@code id} is a container of the table whose run is under way. */
    boolean running(String id) {
        LiveContainer c = byId.get(id);
        return c != null && c.running();
    }

    /** The container a full ID, a name or a unique ID prefix names; 404 "No such container: ref" otherwise. */
    LiveContainer lookup(String ref) {
        return find(ref).orElseThrow(() -> DockerApiException.notFound("No such container: %s", ref));
    }

    Optional<LiveContainer> find(String ref) {
        if (ref == null || ref.isEmpty()) {
            return Optional.empty();
        }
        LiveContainer c = byId.get(ref);
        if (c != null) {
            return Optional.of(c);
        }
        String id = names.get(ref.startsWith("/") ? ref.substring(1) : ref);
        if (id != null && byId.containsKey(id)) {
            return Optional.of(byId.get(id));
        }
        List<LiveContainer> prefixed = byId.values().stream().filter(x -> x.id().startsWith(ref)).toList();
        if (prefixed.size() > 1) {
            throw DockerApiException.badRequest("multiple IDs found with provided prefix: %s", ref);
        }
        return prefixed.stream().findFirst();
    }

    /** The ID of a container created from the image of this ID, if any. */
    Optional<String> usingImage(String imageId) {
        return byId.values().stream().filter(c -> c.doc().imageId().equals(imageId)).map(LiveContainer::id).findFirst();
    }

    /** Takes {@code name} (as {@link #validName} gives it) for {@code id}: 409 when another container holds it. */
    String claimName(String name, String id) {
        String holder = names.putIfAbsent(name, id);
        if (holder != null) {
            throw DockerApiException.conflict("Conflict. The container name \"/%s\" is already in use by container \"%s\". "
                    + "You have to remove (or rename) that container to be able to reuse that name.", name, holder);
        }
        return name;
    }

    /** A random name taken for {@code id} in one step (two concurrent creates never draw the same free name). */
    String claimGeneratedName(String id, SecureRandom random) {
        for (int i = 0; i < 100; i++) {
            String n = Names.random(random, i > 10);
            if (names.putIfAbsent(n, id) == null) {
                return n;
            }
        }
        throw DockerApiException.internal("could not find a free container name");
    }

    /** Gives {@code name} up if {@code id} holds it. */
    void releaseName(String name, String id) {
        names.remove(name, id);
    }

    /** A name as a client gives it, without its leading slash; 400 when it is not one docker allows. */
    static String validName(String requested) {
        if (requested == null || !NAME.matcher(requested).matches()) {
            throw DockerApiException.badRequest("Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", requested);
        }
        return requested.startsWith("/") ? requested.substring(1) : requested;
    }

    /** A container just created (its name claimed already). */
    void add(LiveContainer c) {
        byId.put(c.id(), c);
    }

    /** A container found again at the daemon's start, with its name. */
    void addRecovered(LiveContainer c) {
        byId.put(c.id(), c);
        names.put(c.doc().name(), c.id());
    }

    /** The container and its name are gone. */
    void remove(LiveContainer c) {
        byId.remove(c.id());
        names.remove(c.doc().name(), c.id());
    }
}
