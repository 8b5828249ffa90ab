package io.jcontainerd.supervisor;

/**
 * What Version.Version reports. The version is containerd-style semver of the API level we are
 * compatible with plus our own version as build metadata, because clients (nerdctl) parse it as
 * semver and warn below 1.6.
 */
public final class BuildInfo {
    public static final String API_LEVEL = "1.6.20";
    public static final String OWN_VERSION = "0.1.0";
    public static final String VERSION = API_LEVEL + "+jcontainerd." + OWN_VERSION;
    public static final String REVISION = "jcontainerd-" + OWN_VERSION;

    private BuildInfo() {
    }
}
