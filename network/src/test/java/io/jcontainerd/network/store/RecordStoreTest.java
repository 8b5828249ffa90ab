package io.jcontainerd.network.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class RecordStoreTest {
    @TempDir
    Path dir;

    public record Item(String name, int size) {
    }

    @Test
    void aRecordReadOnceIsServedAgainUntilItsFileChanges() throws Exception {
        RecordStore<Item> store = new RecordStore<>(dir, Item.class);
        store.put("a", new Item("one", 1));
        Item first = store.get("a").orElseThrow();
        assertThat(store.get("a")).containsSame(first);
        store.put("a", new Item("two", 2));
        assertThat(store.get("a")).contains(new Item("two", 2));
        assertThat(store.delete("a")).isTrue();
        assertThat(store.get("a")).isEmpty();
        assertThat(Files.list(dir).toList()).isEmpty();
    }

    @Test
    void whatAnotherProcessWritesOrDeletesIsSeenAtTheNextRead() {
        RecordStore<Item> daemon = new RecordStore<>(dir, Item.class);
        RecordStore<Item> other = new RecordStore<>(dir, Item.class); // jctr run with CNI writes the same files
        other.put("c", new Item("first", 1));
        assertThat(daemon.get("c")).contains(new Item("first", 1));
        other.put("c", new Item("second", 2));
        assertThat(daemon.get("c")).contains(new Item("second", 2));
        other.delete("c");
        assertThat(daemon.get("c")).isEmpty();
        other.put("c", new Item("third", 3));
        assertThat(daemon.get("c")).contains(new Item("third", 3));
        assertThat(daemon.all()).containsExactly(new Item("third", 3));
    }
}
