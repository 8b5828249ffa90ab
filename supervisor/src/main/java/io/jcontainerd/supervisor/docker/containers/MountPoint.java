package io.jcontainerd.supervisor.docker.containers;

/**
 * One volume or {@code --mount} of a container as inspect's Mounts shows it.
 *
 * @param type        volume, bind or tmpfs
 * @param name        the volume's name (empty for bind and tmpfs)
 * @param source      the host path (the volume's _data directory; empty for tmpfs)
 * @param mode        Docker's mode string ("z", "ro", "" ...)
 * @param anonymous   a volume made for this container alone ({@code -v /path}): {@code rm -v} removes it
 * @param options     the OCI mount options (tmpfs size and mode; bind propagation)
 */
public record MountPoint(String type, String name, String source, String destination, String mode, boolean rw,
                         String propagation, boolean anonymous, java.util.List<String> options) {
    public MountPoint {
        options = options == null ? java.util.List.of() : java.util.List.copyOf(options);
    }
}
