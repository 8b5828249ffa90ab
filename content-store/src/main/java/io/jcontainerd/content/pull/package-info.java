/**
 * Pulling an image into a content store: {@link io.jcontainerd.content.pull.ImagePuller} resolves,
 * picks platforms, fetches config and layers in parallel (bounded) with ingest resume, reports
 * progress per blob, calls a {@link io.jcontainerd.content.pull.LayerListener} as each layer is
 * verified (so unpacking can start early), and returns containerd's GC labels for the metadata layer.
 */
package io.jcontainerd.content.pull;
