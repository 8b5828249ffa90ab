package io.jcontainerd.supervisor.metadata;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The last record decoded per key, with the stored bytes it was decoded from: a read whose stored bytes
 * are the same gets that record again instead of decoding JSON (digests, instants, a spec in base64)
 * once more, and a read of changed bytes decodes them, whichever store wrote them. The records must be
 * immutable. At most {@code max} keys are kept; when full, it starts again empty.
 */
public final class DecodedRecords<T> {
    private final int max;
    private final ConcurrentHashMap<String, Entry<T>> entries = new ConcurrentHashMap<>();

    private record Entry<T>(byte[] stored, T record) {}

    public DecodedRecords(int max) {
        this.max = max;
    }

    /** {@code stored} decoded by {@code decode}, or the record decoded before from the same bytes under {@code key}. */
    public T get(String key, byte[] stored, Function<byte[], T> decode) {
        Entry<T> e = entries.get(key);
        if (e != null && Arrays.equals(e.stored(), stored)) {
            return e.record();
        }
        T record = decode.apply(stored);
        if (entries.size() >= max) {
            entries.clear();
        }
        entries.put(key, new Entry<>(stored, record));
        return record;
    }

    /** Keeps {@code record} as what {@code stored} decodes to: a store that has just written a record need not decode it. */
    public void remember(String key, byte[] stored, T record) {
        if (entries.size() >= max) {
            entries.clear();
        }
        entries.put(key, new Entry<>(stored, record));
    }

    public void forget(String key) {
        entries.remove(key);
    }
}
