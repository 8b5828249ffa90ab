package io.jcontainerd.proto.ttrpc;

import io.jcontainerd.api.ttrpc.KeyValue;

import java.util.ArrayList;
import java.util.List;

/** What a handler may know about the call it serves, and what it may ask to run after the answer is sent. */
public final class TtrpcCall {
    private final List<KeyValue> metadata;
    private final List<Runnable> afterResponse = new ArrayList<>();

    TtrpcCall(List<KeyValue> metadata) {
        this.metadata = metadata;
    }

    /** The first value the client sent under {@code key}, or null. */
    public String metadata(String key) {
        for (KeyValue kv : metadata) {
            if (kv.getKey().equals(key)) {
                return kv.getValue();
            }
        }
        return null;
    }

    /** Runs {@code action} once the answer was written (or could not be: the connection broke). */
    public void afterResponse(Runnable action) {
        afterResponse.add(action);
    }

    List<Runnable> afterResponse() {
        return afterResponse;
    }
}
