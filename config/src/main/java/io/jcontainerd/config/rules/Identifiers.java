package io.jcontainerd.config.rules;

import io.jcontainerd.config.errdefs.JcdException;

import java.util.regex.Pattern;

/**
 * containerd's identifier rule, shared by namespaces, container ids, lease ids and topic parts:
 * letters and digits in runs joined by single '.', '_' or '-', starting and ending with a letter
 * or digit, 1 to 76 characters.
 */
public final class Identifiers {
    public static final int MAX_LENGTH = 76;
    private static final Pattern RULE = Pattern.compile("[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*");
    public static final String RULE_TEXT =
            "letters, digits, '.', '-' and '_', starting and ending with a letter or digit, at most "
                    + MAX_LENGTH + " characters";

    private Identifiers() {
    }

    /** Throws InvalidArgument naming the rule if {@code id} is not an identifier. */
    public static String validate(String what, String id) {
        if (id == null || id.isEmpty()) {
            throw JcdException.invalidArgument("%s must not be empty: use %s", what, RULE_TEXT);
        }
        if (id.length() > MAX_LENGTH) {
            throw JcdException.invalidArgument("%s %s is %d characters long: at most %d are allowed",
                    what, quote(id), id.length(), MAX_LENGTH);
        }
        if (!RULE.matcher(id).matches()) {
            throw JcdException.invalidArgument("%s %s is not a valid identifier: use %s",
                    what, quote(id), RULE_TEXT);
        }
        return id;
    }

    public static boolean isValid(String id) {
        return id != null && !id.isEmpty() && id.length() <= MAX_LENGTH && RULE.matcher(id).matches();
    }

    private static String quote(String s) {
        return '"' + s.replace("\"", "\\\"") + '"';
    }
}
