/**
 * The image model: digests, descriptors, platforms and their matching, OCI and Docker media types,
 * manifests, indexes and image configs (Jackson records), and image references normalised as
 * docker's reference package does. Pure values; no I/O but JSON parsing.
 */
package io.jcontainerd.content.image;
