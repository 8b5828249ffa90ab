/**
 * Pushing an image from a content store to a registry: {@link io.jcontainerd.content.push.ImagePusher}
 * sends a manifest's layers and config (each skipped when the repository has it) and then the manifest
 * under a tag, reporting each blob to a {@link io.jcontainerd.content.push.PushListener}.
 */
package io.jcontainerd.content.push;
