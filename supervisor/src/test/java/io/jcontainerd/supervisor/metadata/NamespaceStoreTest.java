package io.jcontainerd.supervisor.metadata;

import io.jcontainerd.config.errdefs.AlreadyExistsException;
import io.jcontainerd.config.errdefs.FailedPreconditionException;
import io.jcontainerd.config.errdefs.InvalidArgumentException;
import io.jcontainerd.config.errdefs.NotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NamespaceStoreTest {
    @TempDir
    Path dir;
    MetadataStore db;
    NamespaceStore namespaces;

    @BeforeEach
    void open() {
        db = MetadataStore.open(dir.resolve("meta"));
        namespaces = new NamespaceStore(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void createsListsAndGetsWithLabels() {
        namespaces.create("x", Map.of("a", "1"));
        namespaces.create("k8s.io", Map.of());
        assertThat(namespaces.list()).extracting(NamespaceRecord::name).containsExactly("k8s.io", "x");
        assertThat(namespaces.get("x").labels()).isEqualTo(Map.of("a", "1"));
    }

    @Test
    void getOfAMissingNamespaceAnswersEmptyLabelsLikeContainerd() {
        assertThat(namespaces.get("nothing").labels()).isEmpty();
        assertThat(namespaces.find("nothing")).isEmpty();
    }

    @Test
    void createTwiceIsAlreadyExists() {
        namespaces.create("x", Map.of());
        assertThatThrownBy(() -> namespaces.create("x", Map.of()))
                .isInstanceOf(AlreadyExistsException.class).hasMessageContaining("namespace x");
    }

    @Test
    void invalidNamesAreRefusedNamingTheRule() {
        assertThatThrownBy(() -> namespaces.create("Bad/Name", Map.of()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("Bad/Name").hasMessageContaining("at most 76 characters");
    }

    @Test
    void updatesLabelsByFieldPath() {
        namespaces.create("x", Map.of("a", "1", "b", "2"));
        namespaces.update("x", Map.of("a", "9", "c", "3"), List.of("labels.a", "labels.b"));
        assertThat(namespaces.get("x").labels()).isEqualTo(Map.of("a", "9"));
        namespaces.update("x", Map.of("z", "1"), List.of());
        assertThat(namespaces.get("x").labels()).isEqualTo(Map.of("z", "1"));
        assertThatThrownBy(() -> namespaces.update("x", Map.of(), List.of("name")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("name");
        assertThatThrownBy(() -> namespaces.update("nope", Map.of(), List.of()))
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    void deleteRefusesANamespaceThatStillHoldsObjectsAndSaysWhat() {
        namespaces.create("x", Map.of());
        db.put(Family.IMAGES, Keys.of("x", "docker.io/library/busybox:latest"), new byte[0]);
        db.put(Family.CONTAINERS, Keys.of("x", "c1"), new byte[0]);
        db.put(Family.IMAGES, Keys.of("xy", "other"), new byte[0]);
        assertThatThrownBy(() -> namespaces.delete("x"))
                .isInstanceOf(FailedPreconditionException.class)
                .hasMessageContaining("namespace x must be empty").hasMessageContaining("images, containers");
        db.delete(Family.IMAGES, Keys.of("x", "docker.io/library/busybox:latest"));
        db.delete(Family.CONTAINERS, Keys.of("x", "c1"));
        namespaces.delete("x");
        assertThat(namespaces.find("x")).isEmpty();
        assertThatThrownBy(() -> namespaces.delete("x")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void survivesAReopen() {
        namespaces.create("persist", Map.of("k", "v"));
        String uuid = db.serverUuid();
        db.close();
        db = MetadataStore.open(dir.resolve("meta"));
        assertThat(new NamespaceStore(db).get("persist").labels()).containsEntry("k", "v");
        assertThat(db.serverUuid()).isEqualTo(uuid);
    }
}
