package io.jcontainerd.supervisor.docker.images;

import io.jcontainerd.supervisor.docker.http.DockerApiException;

import java.util.regex.Pattern;

/**
 * An image reference normalised as Docker does: {@code busybox} is
 * {@code docker.io/library/busybox:latest}, {@code me/app:1} is {@code docker.io/me/app:1}, a
 * first component with a dot, a colon or {@code localhost} is a registry host.
 *
 * @param domain the registry host ({@code docker.io})
 * @param path   the repository path ({@code library/busybox})
 * @param tag    the tag, or null when the reference has a digest only
 * @param digest the digest ({@code sha256:...}), or null
 */
public record ImageName(String domain, String path, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern PATH = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}");

    /** Parses {@code ref}; without tag or digest the tag is {@code latest}. Bad references are a 400. */
    public static ImageName parse(String ref) {
        if (ref == null || ref.isEmpty() || ref.length() > 512) {
            throw DockerApiException.badRequest("invalid reference format: %s", ref == null || ref.isEmpty() ? "(empty)" : "longer than 512 characters");
        }
        String rest = ref;
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw DockerApiException.badRequest("invalid reference format: %s has an invalid digest", ref);
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw DockerApiException.badRequest("invalid reference format: %s has an invalid tag", ref);
            }
        }
        String domain = DOCKER_HUB;
        String path = rest;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                domain = first;
                path = rest.substring(slash + 1);
            }
        }
        if (domain.equals("index.docker.io")) {
            domain = DOCKER_HUB;
        }
        if (domain.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (!PATH.matcher(path).matches()) {
            throw DockerApiException.badRequest("invalid reference format: repository name (%s) must be lowercase letters, digits and separators", path);
        }
        if (tag == null && digest == null) {
            tag = "latest";
        }
        return new ImageName(domain, path, tag, digest);
    }

    /** Parses {@code fromImage} and {@code tag} as {@code POST /images/create} gets them (the tag may be a digest). */
    public static ImageName of(String image, String tag) {
        if (tag == null || tag.isEmpty()) {
            return parse(image);
        }
        return parse(image + (tag.contains(":") ? "@" : ":") + tag);
    }

    /** The full name, as stored in the images service: {@code docker.io/library/busybox:latest}. */
    public String full() {
        return domain + "/" + path + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The repository without tag: {@code docker.io/library/busybox}. */
    public String repository() {
        return domain + "/" + path;
    }

    /** The short repository users type: {@code busybox}, {@code me/app}, {@code 127.0.0.1:5000/x}. */
    public String familiarRepository() {
        if (domain.equals(DOCKER_HUB)) {
            return path.startsWith("library/") ? path.substring("library/".length()) : path;
        }
        return domain + "/" + path;
    }

    /** {@code busybox:latest} (or {@code busybox@sha256:...}): how docker prints a name. */
    public String familiar() {
        return familiarRepository() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    public ImageName withTag(String newTag) {
        return new ImageName(domain, path, newTag, null);
    }
}
