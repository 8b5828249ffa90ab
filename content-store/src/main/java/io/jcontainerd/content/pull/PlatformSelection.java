package io.jcontainerd.content.pull;

import io.jcontainerd.content.image.Platform;

import java.util.List;

/** Which manifests of an index a pull fetches. */
public sealed interface PlatformSelection {

    /** The best match for this machine (linux/amd64 here), as ctr pull does by default. */
    record Host() implements PlatformSelection {
    }

    /** The best match for each given platform (ctr's --platform, repeatable). */
    record Only(List<Platform> platforms) implements PlatformSelection {
        public Only {
            platforms = List.copyOf(platforms);
        }
    }

    /** Every manifest (ctr's --all-platforms). */
    record All() implements PlatformSelection {
    }

    static PlatformSelection host() {
        return new Host();
    }

    static PlatformSelection all() {
        return new All();
    }

    static PlatformSelection only(Platform... platforms) {
        return new Only(List.of(platforms));
    }
}
