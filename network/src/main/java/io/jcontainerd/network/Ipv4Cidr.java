package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;

/**
 * An IPv4 network in CIDR form, e.g. 10.213.0.0/16 (the address is masked to the network).
 *
 * @param network the network address as an unsigned 32-bit value
 * @param prefix  the prefix length, 0 to 32
 */
public record Ipv4Cidr(long network, int prefix) {

    public Ipv4Cidr {
        if (prefix < 0 || prefix > 32) {
            throw JcdException.invalidArgument("IPv4 prefix length %d is out of range 0-32", prefix);
        }
        network = network & mask(prefix);
    }

    /** Parses "a.b.c.d/n"; the error names {@code what}. */
    public static Ipv4Cidr parse(String what, String text) {
        if (text == null || text.length() > 18) {
            throw JcdException.invalidArgument("%s \"%s\" is not an IPv4 CIDR such as 10.213.0.0/16", what, text);
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw JcdException.invalidArgument("%s \"%s\" has no prefix length: write it as 10.213.0.0/16", what, text);
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw JcdException.invalidArgument("%s \"%s\": the prefix length is not a number", what, text);
        }
        if (prefix < 1 || prefix > 30) {
            throw JcdException.invalidArgument("%s \"%s\": the prefix length must be 1 to 30 (a network needs room for a gateway and a host)", what, text);
        }
        return new Ipv4Cidr(parseAddress(what, text.substring(0, slash)), prefix);
    }

    /** Parses a dotted-quad address to an unsigned 32-bit value. */
    public static long parseAddress(String what, String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw JcdException.invalidArgument("%s \"%s\" is not an IPv4 address", what, text);
        }
        long v = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                throw JcdException.invalidArgument("%s \"%s\" is not an IPv4 address", what, text);
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw JcdException.invalidArgument("%s \"%s\": %d is more than 255", what, text, octet);
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    public static String format(long address) {
        return ((address >> 24) & 255) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "." + (address & 255);
    }

    public static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    public long size() {
        return 1L << (32 - prefix);
    }

    /** The n-th address of the network (1 is the conventional gateway). */
    public long host(long n) {
        return network + n;
    }

    public boolean contains(long address) {
        return (address & mask(prefix)) == network;
    }

    public boolean overlaps(Ipv4Cidr other) {
        int p = Math.min(prefix, other.prefix);
        return (network & mask(p)) == (other.network & mask(p));
    }

    /** The {@code index}-th subnet of length {@code subPrefix} inside this network. */
    public Ipv4Cidr subnet(int subPrefix, long index) {
        if (subPrefix < prefix) {
            throw JcdException.invalidArgument("/%d subnets do not fit in %s", subPrefix, this);
        }
        return new Ipv4Cidr(network + index * (1L << (32 - subPrefix)), subPrefix);
    }

    @Override
    public String toString() {
        return format(network) + "/" + prefix;
    }
}
