package io.jcontainerd.ctr.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads small files (/etc/passwd, /etc/group) of a container's root filesystem straight from the
 * snapshot's directories, the layers an overlay mount would stack, upper first. ctr mounts the
 * snapshot read-only for this; reading the directories needs no mount to clean up and gives the
 * same answer for files a layer replaced whole (as these are).
 */
public final class RootfsFiles {
    private final List<Path> layers;

    private RootfsFiles(List<Path> layers) {
        this.layers = layers;
    }

    public static RootfsFiles of(List<RootfsMount> mounts) {
        List<Path> layers = new ArrayList<>();
        for (RootfsMount m : mounts) {
            if (m.type().equals("overlay")) {
                for (String o : m.options()) {
                    if (o.startsWith("upperdir=")) {
                        layers.addFirst(Path.of(o.substring("upperdir=".length())));
                    } else if (o.startsWith("lowerdir=")) {
                        for (String l : o.substring("lowerdir=".length()).split(":")) {
                            layers.add(Path.of(l));
                        }
                    }
                }
            } else if (m.type().equals("bind") || m.options().contains("bind") || m.options().contains("rbind")) {
                layers.add(Path.of(m.source()));
            }
        }
        return new RootfsFiles(layers);
    }

    /** The file's text from the topmost layer that has it; empty when none does or it cannot be read. */
    public Optional<String> read(String absolutePath) {
        String rel = absolutePath.startsWith("/") ? absolutePath.substring(1) : absolutePath;
        for (Path layer : layers) {
            Path p = layer.resolve(rel);
            if (Files.isRegularFile(p)) {
                try {
                    return Optional.of(Files.readString(p));
                } catch (IOException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
