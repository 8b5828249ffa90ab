package io.jcontainerd.testsupport;

import java.util.List;

/** An image index (multi-platform image) of the fixture and the per-platform images it lists. */
public record FixtureIndex(String name, FixtureBlob index, List<FixtureImage> manifests) {

    public FixtureIndex {
        manifests = List.copyOf(manifests);
    }

    /** The image for {@code os/architecture[/variant]}, e.g. {@code linux/arm64/v8}. */
    public FixtureImage forPlatform(String platform) {
        return manifests.stream().filter(m -> m.platform().equals(platform)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(
                        "index " + name + " has no manifest for platform " + platform + "; it has "
                                + manifests.stream().map(FixtureImage::platform).toList()));
    }
}
