package io.jcontainerd.content.push;

import io.jcontainerd.content.image.Descriptor;

/**
 * A push done: the manifest as the registry now has it under the tag, and how many blobs went over the wire.
 *
 * @param blobsSent    blobs uploaded
 * @param blobsExisting blobs the repository had already
 * @param blobsMounted blobs mounted from another repository of the host
 * @param bytesSent    bytes of the uploaded blobs
 */
public record PushResult(Descriptor manifest, int blobsSent, int blobsExisting, int blobsMounted, long bytesSent) {
}
