package io.jcontainerd.content.registry;

/**
 * A registry login: user name and password, an identity token (user name empty), or a registry
 * token ({@link #registryToken}: a Bearer token sent to the registry as it is, Docker's
 * {@code registrytoken}, user name empty).
 */
public record Credentials(String username, String secret, boolean isRegistryToken) {

    public Credentials(String username, String secret) {
        this(username, secret, false);
    }

    /** A Bearer token the registry takes as it is: no challenge answered, no token server asked. */
    public static Credentials registryToken(String token) {
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw io.jcontainerd.config.errdefs.JcdException.invalidArgument(
                    "the registry token is %s: a Bearer token is printable ASCII without spaces", token.isEmpty() ? "empty" : "not one");
        }
        return new Credentials("", token, true);
    }

    @Override
    public String toString() {
        return "Credentials[" + (isRegistryToken ? "registry token" : username) + ", ****]"; // never log secrets
    }
}
