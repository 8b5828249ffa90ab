package io.jcontainerd.content.pull;

import io.jcontainerd.testsupport.FixtureBlob;
import io.jcontainerd.testsupport.FixtureImage;

import java.util.ArrayList;
import java.util.List;

/** Every blob of a fixture image: its layers, manifest and config. */
final class FixtureBlobs {

    private FixtureBlobs() {
    }

    static List<FixtureBlob> all(FixtureImage image) {
        List<FixtureBlob> out = new ArrayList<>(image.layers());
        out.add(image.manifest());
        out.add(image.config());
        return out;
    }
}
