package io.jcontainerd.content.store;

import io.jcontainerd.content.image.Digest;

import java.time.Instant;

/** What the store knows about a committed blob. Labels live in the supervisor's metadata, not here. */
public record Info(Digest digest, long size, Instant createdAt, Instant updatedAt) {
}
