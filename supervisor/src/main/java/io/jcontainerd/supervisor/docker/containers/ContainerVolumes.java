package io.jcontainerd.supervisor.docker.containers;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** What the container lifecycle asks of volumes: mount points at create, copy-up, release at remove. */
public interface ContainerVolumes {
    /**
     * The volumes and {@code --mount}s of a new container (named volumes made as needed,
     * anonymous ones made for it); a bad mount is a 400 naming it.
     */
    List<MountPoint> mount(String containerId, ObjectNode config, ObjectNode host);

    /** Fills the container's empty volumes with what its image has at their paths, as dockerd does at create. */
    void populate(LiveContainer c);

    /** The container is gone (or its create failed): its anonymous volumes go too when {@code removeAnonymous}. */
    void release(List<MountPoint> mounts, boolean removeAnonymous);

    /** Without a volume store: binds only. */
    ContainerVolumes NONE = new ContainerVolumes() {
        @Override
        public List<MountPoint> mount(String containerId, ObjectNode config, ObjectNode host) {
            return List.of();
        }

        @Override
        public void populate(LiveContainer c) {
        }

        @Override
        public void release(List<MountPoint> mounts, boolean removeAnonymous) {
        }
    };
}
