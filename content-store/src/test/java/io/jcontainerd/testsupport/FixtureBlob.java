package io.jcontainerd.testsupport;

/** A descriptor of the fixture: what a registry must serve for one blob or manifest. */
public record FixtureBlob(String mediaType, String digest, long size) {

    /** The hex part of the digest, as used in blob paths. */
    public String hex() {
        return digest.substring(digest.indexOf(':') + 1);
    }
}
