package io.jcontainerd.content.image;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A normalised image reference, {@code domain/path[:tag][@digest]}, parsed like docker's
 * reference package (ParseNormalizedNamed): "busybox" → "docker.io/library/busybox:latest".
 *
 * @param domain registry host (and port), "docker.io" for Docker Hub
 * @param path   repository path inside the registry, e.g. "library/busybox"
 * @param tag    the tag, null when only a digest was given
 * @param digest the digest, null when only a tag was given
 */
public record ImageReference(String domain, String path, String tag, Digest digest) {

    public static final String DOCKER_HUB = "docker.io";
    private static final String LEGACY_HUB = "index.docker.io";
    private static final int MAX_NAME = 255;

    private static final String COMPONENT = "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*";
    private static final Pattern PATH = Pattern.compile(COMPONENT + "(?:/" + COMPONENT + ")*");
    private static final String LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final Pattern DOMAIN = Pattern.compile(
            "(?:" + LABEL + "(?:\\." + LABEL + ")*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern HEX64 = Pattern.compile("[a-f0-9]{64}");

    public ImageReference {
        if (tag == null && digest == null) {
            tag = "latest";
        }
    }

    /** Parses and normalises; any malformed input is an InvalidArgument quoting it. */
    public static ImageReference parse(String input) {
        if (input == null || input.isEmpty()) {
            throw JcdException.invalidArgument("empty image reference: expected e.g. docker.io/library/busybox:latest");
        }
        if (!input.strip().equals(input) || input.chars().anyMatch(Character::isWhitespace)) {
            throw bad(input, "it contains whitespace");
        }
        if (HEX64.matcher(input).matches()) {
            throw bad(input, "a 64-character hex string is an image id, not a reference; use name@sha256:<hex>");
        }
        String rest = input;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String d = rest.substring(at + 1);
            rest = rest.substring(0, at);
            try {
                digest = Digest.parse(d);
            } catch (JcdException e) {
                throw bad(input, "the part after '@' is not a valid digest (" + e.getMessage() + ")");
            }
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw bad(input, "tag \"" + tag + "\" must be 1-128 characters of [A-Za-z0-9_.-], not starting with '.' or '-'");
            }
        }
        if (rest.isEmpty()) {
            throw bad(input, "the repository name is empty");
        }
        String domain;
        String path;
        int slash = rest.indexOf('/');
        String first = slash < 0 ? rest : rest.substring(0, slash);
        boolean firstIsDomain = slash >= 0
                && (first.contains(".") || first.contains(":") || first.equals("localhost")
                    || !first.toLowerCase(Locale.ROOT).equals(first));
        if (firstIsDomain) {
            domain = first;
            path = rest.substring(slash + 1);
            if (!DOMAIN.matcher(domain).matches()) {
                throw bad(input, "\"" + domain + "\" is not a valid registry host[:port]");
            }
        } else {
            domain = DOCKER_HUB;
            path = rest;
        }
        if (domain.equals(LEGACY_HUB)) {
            domain = DOCKER_HUB;
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (!path.toLowerCase(Locale.ROOT).equals(path)) {
            throw bad(input, "repository name must be lowercase");
        }
        if (!PATH.matcher(path).matches()) {
            throw bad(input, "repository \"" + path + "\" must be lowercase components of [a-z0-9] separated by '/', '.', '_', '__' or '-'");
        }
        if (domain.length() + 1 + path.length() > MAX_NAME) {
            throw bad(input, "the repository name is longer than " + MAX_NAME + " characters");
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageReference(domain, path, tag, digest);
    }

    private static JcdException bad(String input, String why) {
        return JcdException.invalidArgument("invalid image reference \"%s\": %s", input, why);
    }

    /** {@code domain/path}, e.g. "docker.io/library/busybox". */
    public String name() {
        return domain + "/" + path;
    }

    public Optional<String> findTag() {
        return Optional.ofNullable(tag);
    }

    public Optional<Digest> findDigest() {
        return Optional.ofNullable(digest);
    }

    /** What to ask the registry's manifests endpoint for: the digest if pinned, else the tag. */
    public String object() {
        return digest != null ? digest.toString() : tag;
    }

    /** The same repository at another digest (the tag is dropped). */
    public ImageReference withDigest(Digest d) {
        return new ImageReference(domain, path, null, d);
    }

    /** The shortest form docker prints: "busybox:latest", "host:5000/a/b:tag". */
    public String familiar() {
        String n = name();
        if (domain.equals(DOCKER_HUB)) {
            n = path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
        }
        return n + suffix();
    }

    private String suffix() {
        return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    @Override
    public String toString() {
        return name() + suffix();
    }
}
