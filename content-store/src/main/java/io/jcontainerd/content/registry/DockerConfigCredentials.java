package io.jcontainerd.content.registry;

import com.fasterxml.jackson.databind.JsonNode;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.ImageJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Credentials from docker's {@code config.json} "auths" section ({@code docker login} writes it).
 * Credential helpers (credsStore) are not run.
 */
public final class DockerConfigCredentials implements CredentialStore {

    private static final List<String> HUB_KEYS = List.of(
            "https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io");

    private final Map<String, Credentials> byHost;

    private DockerConfigCredentials(Map<String, Credentials> byHost) {
        this.byHost = byHost;
    }

    /** $DOCKER_CONFIG/config.json, else ~/.docker/config.json; empty if neither exists. */
    public static DockerConfigCredentials loadDefault() {
        String dockerConfig = System.getenv("DOCKER_CONFIG");
        Path p = dockerConfig != null && !dockerConfig.isEmpty()
                ? Path.of(dockerConfig, "config.json")
                : Path.of(System.getProperty("user.home"), ".docker", "config.json");
        return load(p);
    }

    public static DockerConfigCredentials load(Path file) {
        if (!Files.isRegularFile(file)) {
            return new DockerConfigCredentials(Map.of());
        }
        JsonNode root;
        try {
            root = ImageJson.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw JcdException.invalidArgument("docker config %s is not valid JSON: %s", file, e.getMessage());
        }
        Map<String, Credentials> out = new HashMap<>();
        root.path("auths").fields().forEachRemaining(e -> parseEntry(file, e.getKey(), e.getValue())
                .ifPresent(c -> out.put(normalizeKey(e.getKey()), c)));
        return new DockerConfigCredentials(Map.copyOf(out));
    }

    private static Optional<Credentials> parseEntry(Path file, String key, JsonNode v) {
        if (v.hasNonNull("identitytoken") && !v.get("identitytoken").asText().isEmpty()) {
            return Optional.of(new Credentials("", v.get("identitytoken").asText()));
        }
        if (v.hasNonNull("auth") && !v.get("auth").asText().isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(v.get("auth").asText()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw JcdException.invalidArgument("docker config %s: auth for \"%s\" is not base64", file, key);
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw JcdException.invalidArgument("docker config %s: auth for \"%s\" is not user:password", file, key);
            }
            return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1)));
        }
        if (v.hasNonNull("username")) {
            return Optional.of(new Credentials(v.get("username").asText(), v.path("password").asText("")));
        }
        return Optional.empty();
    }

    /** "https://index.docker.io/v1/" → "registry-1.docker.io"; "https://h:5000/" → "h:5000". */
    private static String normalizeKey(String key) {
        if (HUB_KEYS.contains(key)) return "registry-1.docker.io";
        String k = key;
        int scheme = k.indexOf("://");
        if (scheme >= 0) k = k.substring(scheme + 3);
        int slash = k.indexOf('/');
        if (slash >= 0) k = k.substring(0, slash);
        return k;
    }

    @Override
    public Optional<Credentials> lookup(String host) {
        Optional<Credentials> c = Optional.ofNullable(byHost.get(host));
        if (c.isEmpty() && (host.equals("docker.io") || host.equals("index.docker.io"))) {
            c = Optional.ofNullable(byHost.get("registry-1.docker.io"));
        }
        return c;
    }
}
