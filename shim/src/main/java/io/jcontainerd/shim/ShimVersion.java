package io.jcontainerd.shim;

/** What Connect reports as the shim's version. */
public final class ShimVersion {
    public static final String VERSION = "jcontainerd-shim 0.1.0";

    private ShimVersion() {
    }
}
