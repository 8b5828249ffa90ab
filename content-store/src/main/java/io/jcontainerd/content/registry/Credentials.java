package io.jcontainerd.content.registry;

/**
 * A registry login: user name and password, or an identity token (user name then unused).
 */
public record Credentials(String username, String secret) {

    @Override
    public String toString() {
        return "Credentials[" + username + ", ****]"; // never log secrets
    }
}
