package io.jcontainerd.supervisor.images;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import io.jcontainerd.config.filters.FilterParser;
import io.jcontainerd.supervisor.gc.TestStores;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageStoreTest {
    private static final String INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String D1 = "sha256:" + "1".repeat(64);
    private static final String D2 = "sha256:" + "2".repeat(64);

    @TempDir
    Path dir;
    TestStores t;
    ImageStore images;

    @BeforeEach
    void open() {
        t = new TestStores(dir);
        images = t.stores.images();
    }

    @AfterEach
    void close() {
        t.close();
    }

    private static ImageTarget target(String mediaType, String digest, Map<String, String> annotations) {
        return new ImageTarget(mediaType, digest, 100, annotations);
    }

    @Test
    void createsGetsAndRefusesADuplicateName() {
        ImageRecord r = images.create("ns", "docker.io/library/busybox:latest", Map.of("a", "1"), target(INDEX, D1, Map.of()));

        assertThat(r.createdAt()).isEqualTo(r.updatedAt()).isEqualTo(t.clock.instant());
        assertThat(images.get("ns", "docker.io/library/busybox:latest").target().digest()).isEqualTo(D1);
        assertThatThrownBy(() -> images.create("ns", "docker.io/library/busybox:latest", Map.of(), target(INDEX, D1, Map.of())))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("busybox");
        assertThatThrownBy(() -> images.get("other", "docker.io/library/busybox:latest"))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("not found");
    }

    @Test
    void refusesAnImageWithoutMediaTypeOrWithABadDigest() {
        assertThatThrownBy(() -> images.create("ns", "x", Map.of(), target("", D1, Map.of())))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("media type");
        assertThatThrownBy(() -> images.create("ns", "x", Map.of(), target(INDEX, "sha256:nothex", Map.of())))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> images.create("ns", "", Map.of(), target(INDEX, D1, Map.of())))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void listFiltersByNameTargetLabelsAndAnnotations() {
        images.create("ns", "a:1", Map.of("env", "prod"), target(INDEX, D1, Map.of("org.opencontainers.image.ref.name", "1")));
        images.create("ns", "b:1", Map.of("env", "dev"), target(MANIFEST, D2, Map.of()));

        assertThat(names("name==\"a:1\"")).containsExactly("a:1");
        assertThat(names("target.digest==\"" + D2 + "\"")).containsExactly("b:1");
        assertThat(names("target.mediatype~=docker")).containsExactly("b:1");
        assertThat(names("labels.env==prod")).containsExactly("a:1");
        assertThat(names("annotations.\"org.opencontainers.image.ref.name\"==1")).containsExactly("a:1");
        assertThat(names("")).containsExactly("a:1", "b:1");
    }

    private List<String> names(String filter) {
        return images.list("ns", FilterParser.parse(filter)).stream().map(ImageRecord::name).toList();
    }

    @Test
    void updateWithoutMaskReplacesLabelsAndTargetButKeepsCreatedAt() {
        ImageRecord created = images.create("ns", "a:1", Map.of("old", "1"), target(INDEX, D1, Map.of()));
        t.clock.advanceSeconds(60);

        ImageRecord updated = images.update("ns", "a:1", Map.of("new", "2"), target(MANIFEST, D2, Map.of()), List.of());

        assertThat(updated.labels()).containsExactlyEntriesOf(Map.of("new", "2"));
        assertThat(updated.target().digest()).isEqualTo(D2);
        assertThat(updated.createdAt()).isEqualTo(created.createdAt());
        assertThat(updated.updatedAt()).isAfter(created.updatedAt());
    }

    @Test
    void updateWithMaskChangesOnlyTheNamedFields() {
        images.create("ns", "a:1", Map.of("keep", "1", "drop", "2"), target(INDEX, D1, Map.of("ann", "x", "other", "y")));

        ImageRecord r = images.update("ns", "a:1", Map.of("add", "3", "drop", ""), target(MANIFEST, D2, Map.of("ann", "z")),
                List.of("labels.add", "labels.drop", "annotations.ann"));

        assertThat(r.labels()).containsExactlyInAnyOrderEntriesOf(Map.of("keep", "1", "add", "3"));
        assertThat(r.target().digest()).isEqualTo(D1);
        assertThat(r.target().annotations()).containsExactlyInAnyOrderEntriesOf(Map.of("ann", "z", "other", "y"));

        ImageRecord t2 = images.update("ns", "a:1", Map.of(), target(MANIFEST, D2, Map.of()), List.of("target"));
        assertThat(t2.target().mediaType()).isEqualTo(MANIFEST);
        assertThat(t2.labels()).containsKeys("keep", "add");

        assertThatThrownBy(() -> images.update("ns", "a:1", Map.of(), target(INDEX, D1, Map.of()), List.of("name")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> images.update("ns", "missing", Map.of(), target(INDEX, D1, Map.of()), List.of()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void deleteRemovesTheImageAndChecksTheExpectedTargetWhenGiven() {
        images.create("ns", "a:1", Map.of(), target(INDEX, D1, Map.of()));

        assertThatThrownBy(() -> images.delete("ns", "a:1", Optional.of(D2))).isInstanceOf(FailedPreconditionException.class);
        images.delete("ns", "a:1", Optional.of(D1));

        assertThat(images.find("ns", "a:1")).isEmpty();
        assertThatThrownBy(() -> images.delete("ns", "a:1", Optional.empty())).isInstanceOf(NotFoundException.class);
    }
}
