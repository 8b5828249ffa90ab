package io.jcontainerd.testsupport;

import java.util.List;

/**
 * One image manifest of the fixture and what it points at, read from the OCI layout the images
 * were built into, so tests can assert exact digests.
 *
 * @param platform {@code os/architecture[/variant]}: from the index entry when the image is listed in
 *                 an index, else from the image config
 * @param diffIds  the config's rootfs.diff_ids: digests of the uncompressed layer tars
 */
public record FixtureImage(String name, FixtureBlob manifest, FixtureBlob config, List<FixtureBlob> layers,
                           List<String> diffIds, String platform) {

    public FixtureImage {
        layers = List.copyOf(layers);
        diffIds = List.copyOf(diffIds);
    }
}
