package io.jcontainerd.supervisor.images;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.config.rules.Labels;
import io.jcontainerd.supervisor.content.LabelPaths;
import io.jcontainerd.config.filters.Filter;
import io.jcontainerd.supervisor.metadata.Family;
import io.jcontainerd.supervisor.metadata.Json;
import io.jcontainerd.supervisor.metadata.Keys;
import io.jcontainerd.supervisor.metadata.MetadataStore;
import io.jcontainerd.supervisor.metadata.NamespaceStore;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Images per namespace (family IMAGES, {@code <ns> NUL <name>}), as containerd's metadata/images.go.
 * Names are any non-empty string (clients send full references and do not normalise them).
 */
public final class ImageStore {
    private final MetadataStore db;
    private final NamespaceStore namespaces;
    private final Clock clock;

    public ImageStore(MetadataStore db, NamespaceStore namespaces, Clock clock) {
        this.db = db;
        this.namespaces = namespaces;
        this.clock = clock;
    }

    public Optional<ImageRecord> find(String ns, String name) {
        byte[] v = db.get(Family.IMAGES, key(ns, name));
        return v == null ? Optional.empty() : Optional.of(Json.read(v, Stored.class).toRecord());
    }

    public ImageRecord get(String ns, String name) {
        checkName(name);
        return find(ns, name).orElseThrow(() -> notFound(ns, name));
    }

    /** Images matching the filter: {@code name}, {@code target.digest}, {@code target.mediatype}, {@code labels.<k>}, {@code annotations.<k>}. */
    public List<ImageRecord> list(String ns, Filter filter) {
        List<ImageRecord> out = new ArrayList<>();
        db.scan(Family.IMAGES, Keys.prefix(ns), (k, v) -> {
            ImageRecord r = Json.read(v, Stored.class).toRecord();
            if (filter.matches(path -> field(r, path))) {
                out.add(r);
            }
        });
        return out;
    }

    /** Stores a new image with fresh times; AlreadyExists if the name is taken. */
    public ImageRecord create(String ns, String name, Map<String, String> labels, ImageTarget target) {
        checkName(name);
        target.validate(name);
        Labels.validate(labels);
        return namespaces.writeIn(ns, () -> {
            synchronized (this) {
                if (db.get(Family.IMAGES, key(ns, name)) != null) {
                    throw JcdException.alreadyExists("image %s in namespace %s: already exists", name, ns);
                }
                Instant now = clock.instant();
                ImageRecord r = new ImageRecord(name, withoutEmpty(labels), withoutEmptyAnnotations(target), now, now);
                db.put(Family.IMAGES, key(ns, name), Json.write(Stored.of(r)));
                return r;
            }
        });
    }

    /**
     * Updates an image. Without paths the labels and target are replaced; with paths only the named
     * fields change: {@code labels}, {@code labels.<k>}, {@code target}, {@code annotations},
     * {@code annotations.<k>} (the target's). An empty value deletes a label or annotation.
     */
    public ImageRecord update(String ns, String name, Map<String, String> labels, ImageTarget target, List<String> paths) {
        checkName(name);
        return namespaces.locks().change(ns, () -> {
            synchronized (this) {
                ImageRecord current = find(ns, name).orElseThrow(() -> notFound(ns, name));
                Map<String, String> nextLabels = new HashMap<>(current.labels());
                ImageTarget nextTarget = current.target();
                if (paths.isEmpty()) {
                    nextLabels = new HashMap<>(labels);
                    nextTarget = target;
                }
                for (String path : paths) {
                    if (path.equals("labels") || path.startsWith("labels.")) {
                        nextLabels = new HashMap<>(LabelPaths.apply(nextLabels, labels, List.of(path), "image " + name));
                    } else if (path.equals("target")) {
                        nextTarget = target;
                    } else if (path.equals("annotations")) {
                        nextTarget = withAnnotations(nextTarget, target.annotations());
                    } else if (path.startsWith("annotations.")) {
                        Map<String, String> a = new HashMap<>(nextTarget.annotations());
                        LabelPaths.setOrDelete(a, path.substring("annotations.".length()), target.annotations());
                        nextTarget = withAnnotations(nextTarget, a);
                    } else {
                        throw JcdException.invalidArgument("cannot update %s field of image %s: use labels, labels.<key>, "
                                + "target, annotations or annotations.<key>", path, name);
                    }
                }
                nextTarget.validate(name);
                Labels.validate(nextLabels);
                ImageRecord r = new ImageRecord(name, withoutEmpty(nextLabels), withoutEmptyAnnotations(nextTarget),
                        current.createdAt(), clock.instant());
                db.put(Family.IMAGES, key(ns, name), Json.write(Stored.of(r)));
                return r;
            }
        });
    }

    /**
     * Deletes an image; NotFound if absent. When {@code expectedDigest} is given the image must still
     * point at it (FailedPrecondition otherwise), so a delete never removes a re-tagged image.
     */
    public ImageRecord delete(String ns, String name, Optional<String> expectedDigest) {
        checkName(name);
        return namespaces.locks().change(ns, () -> {
            synchronized (this) {
                ImageRecord current = find(ns, name).orElseThrow(() -> notFound(ns, name));
                if (expectedDigest.isPresent() && !expectedDigest.get().equals(current.target().digest())) {
                    throw JcdException.failedPrecondition("image %s in namespace %s points at %s, not %s: not deleted",
                            name, ns, current.target().digest(), expectedDigest.get());
                }
                db.delete(Family.IMAGES, key(ns, name));
                return current;
            }
        });
    }

    /** Every image of every namespace, for the garbage collector. */
    public void forEach(BiConsumer<String, ImageRecord> visitor) {
        db.scan(Family.IMAGES, new byte[0], (k, v) -> visitor.accept(Keys.split(k).getFirst(), Json.read(v, Stored.class).toRecord()));
    }

    private static ImageTarget withAnnotations(ImageTarget t, Map<String, String> annotations) {
        return new ImageTarget(t.mediaType(), t.digest(), t.size(), annotations);
    }

    private static ImageTarget withoutEmptyAnnotations(ImageTarget t) {
        return withAnnotations(t, withoutEmpty(t.annotations()));
    }

    private static Map<String, String> withoutEmpty(Map<String, String> m) {
        Map<String, String> out = new HashMap<>(m);
        out.values().removeIf(v -> v == null || v.isEmpty());
        return out;
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw JcdException.invalidArgument("image name must not be empty");
        }
        if (name.indexOf('\0') >= 0) {
            throw JcdException.invalidArgument("image name \"%s\" must not contain NUL", name);
        }
    }

    private static byte[] key(String ns, String name) {
        return Keys.of(ns, name);
    }

    private static JcdException notFound(String ns, String name) {
        return JcdException.notFound("image \"%s\" in namespace %s: not found", name, ns);
    }

    static Optional<String> field(ImageRecord r, List<String> path) {
        String head = path.getFirst();
        if (path.size() == 1 && head.equals("name")) {
            return Optional.of(r.name());
        }
        if (path.size() == 2 && head.equals("target")) {
            return switch (path.get(1)) {
                case "digest" -> Optional.of(r.target().digest());
                case "mediatype" -> Optional.of(r.target().mediaType());
                default -> Optional.empty();
            };
        }
        if (path.size() >= 2 && head.equals("labels")) {
            return Optional.ofNullable(r.labels().get(String.join(".", path.subList(1, path.size()))));
        }
        if (path.size() >= 2 && head.equals("annotations")) {
            return Optional.ofNullable(r.target().annotations().get(String.join(".", path.subList(1, path.size()))));
        }
        return Optional.empty();
    }

    /** The stored form: instants as ISO-8601 text (the metadata JSON has no java.time module). */
    private record Stored(String name, Map<String, String> labels, ImageTarget target, String createdAt, String updatedAt) {
        static Stored of(ImageRecord r) {
            return new Stored(r.name(), r.labels(), r.target(), r.createdAt().toString(), r.updatedAt().toString());
        }

        ImageRecord toRecord() {
            return new ImageRecord(name, labels, target, Instant.parse(createdAt), Instant.parse(updatedAt));
        }
    }
}
