package io.jcontainerd.supervisor.metadata;

/** The column families of the metadata database; see {@link MetadataStore} for their keys. */
public enum Family {
    NAMESPACES("namespaces", "namespaces"),
    IMAGES("images", "images"),
    CONTAINERS("containers", "containers"),
    CONTENT("content", "content"),
    SNAPSHOTS("snapshots", "snapshots"),
    LEASES("leases", "leases"),
    LEASE_REFS("lease_refs", "lease resources");

    private final String cfName;
    private final String displayName;

    Family(String cfName, String displayName) {
        this.cfName = cfName;
        this.displayName = displayName;
    }

    public String cfName() {
        return cfName;
    }

    /** How a user would name these objects ("images", "containers"). */
    public String displayName() {
        return displayName;
    }
}
