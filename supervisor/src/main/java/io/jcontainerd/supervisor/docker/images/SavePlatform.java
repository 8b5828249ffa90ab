package io.jcontainerd.supervisor.docker.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Platform;
import io.jcontainerd.content.image.PlatformMatcher;
import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.util.List;
import java.util.Optional;

/**
 * {@code docker save --platform} (API 1.48, CLI 28): the {@code platform} query parameter of
 * {@code GET /images/get}, a JSON OCI platform ({@code {"architecture":"arm64","os":"linux"}}) as the
 * CLI encodes it, or {@code os/arch[/variant]}. The facade keeps one platform per image, so an image
 * is saved when its config's platform matches and is a 404 naming both platforms otherwise, as
 * dockerd 28 answers for a platform the image does not provide.
 */
record SavePlatform(Platform wanted) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_LENGTH = 1024;

    /** The requested platform; empty when the client sent none (the image is saved as it is). */
    static Optional<SavePlatform> of(List<String> values) {
        List<String> given = values.stream().filter(v -> !v.isEmpty()).toList();
        if (given.isEmpty()) {
            return Optional.empty();
        }
        if (given.size() > 1) {
            throw DockerApiException.badRequest("multiple platform parameters not supported: give one platform, got %s", given);
        }
        String v = given.getFirst();
        if (v.length() > MAX_LENGTH) {
            throw DockerApiException.badRequest("invalid platform parameter: %d characters, at most %d", v.length(), MAX_LENGTH);
        }
        try {
            return Optional.of(new SavePlatform(v.strip().startsWith("{") ? fromJson(v) : Platform.parse(v)));
        } catch (JcdException e) {
            throw DockerApiException.badRequest("invalid platform parameter %s: %s", v, e.getMessage());
        }
    }

    private static Platform fromJson(String v) {
        JsonNode p;
        try {
            p = JSON.readTree(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw DockerApiException.badRequest("failed to parse platform %s: %s (expected JSON such as {\"os\":\"linux\",\"architecture\":\"amd64\"})",
                    v, e.getOriginalMessage() == null ? e.getMessage() : e.getOriginalMessage());
        }
        if (!p.isObject() || !p.path("os").isTextual() && !p.path("architecture").isTextual()) {
            throw DockerApiException.badRequest("invalid platform parameter %s: expected an object with os and architecture, e.g. {\"os\":\"linux\",\"architecture\":\"amd64\"}", v);
        }
        String os = p.path("os").asText("");
        String arch = p.path("architecture").asText("");
        Platform host = Platform.host();
        return new Platform(os.isEmpty() ? host.os() : os, arch.isEmpty() ? host.architecture() : arch, p.path("variant").asText("")).normalize();
    }

    /** The image when its platform is the one asked for; else a 404 naming the reference and both platforms. */
    LocalImage check(String reference, LocalImage image) {
        JsonNode c = image.config();
        Platform has = new Platform(c.path("os").asText(""), c.path("architecture").asText(""), c.path("variant").asText("")).normalize();
        if (!PlatformMatcher.of(wanted).matches(has)) {
            throw DockerApiException.notFound("image with reference %s was found but does not provide the specified platform (%s): it is %s "
                    + "(an image name holds one platform here: pull it with --platform %s under another name to save that one)",
                    reference, wanted.format(), has.format(), wanted.format());
        }
        return image;
    }
}
