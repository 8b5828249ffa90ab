package io.jcontainerd.config.rules;

import java.net.InetAddress;

/** IP address literals in configuration, read without any name lookup. */
public final class IpLiterals {
    private IpLiterals() {
    }

    /** Whether {@code host} is an IPv4 or IPv6 literal (no name: nothing is resolved). */
    public static boolean isIpLiteral(String host) {
        if (host == null || host.isEmpty() || host.length() > 64) {
            return false;
        }
        try {
            InetAddress.ofLiteral(host);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Whether the literal {@code host} is a loopback address (127.0.0.0/8, ::1). */
    public static boolean isLoopback(String host) {
        return isIpLiteral(host) && InetAddress.ofLiteral(host).isLoopbackAddress();
    }
}
