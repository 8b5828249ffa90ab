package io.jcontainerd.supervisor.gc;

import java.time.Duration;

/** What one collection removed, and how long it held the lock. */
public record GcResult(int expiredLeases, int contentRecords, int blobs, int ingests, int others, Duration took) {
}
