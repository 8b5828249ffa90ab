package io.jcontainerd.content.store;

import java.util.List;

/** Inspects and cancels unfinished writes. */
public interface IngestManager {

    List<IngestStatus> listStatuses();

    /** NotFound if there is no ingest named ref. */
    IngestStatus status(String ref);

    /** Drops the ingest and its data; NotFound if there is none. */
    void abort(String ref);
}
