package io.jcontainerd.supervisor.cri;

import io.jcontainerd.config.errdefs.JcdException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * UpdateRuntimeConfig's pod CIDRs (kubelet sends the node's spec.podCIDRs). containerd writes them
 * into its CNI config template, and only when one is configured and no CNI config is loaded yet;
 * jcontainerd has no template: its pods are on the daemon's own bridge network, addressed from
 * {@code [network] subnet}. So the CIDRs are checked (each an IPv4 or IPv6 CIDR, as containerd's
 * route generation parses them), kept until the daemon stops, shown by Status (verbose: info
 * {@code podCIDRs} and {@code podSubnet}), and one that is not the subnet is logged as a warning naming both;
 * an empty value changes nothing, as in containerd.
 */
public final class PodCidrs {
    private static final Logger LOG = Logger.getLogger(PodCidrs.class.getName());
    private static final int MAX_CIDRS = 16;
    private static final int MAX_LENGTH = 1024;
    private final String subnet;
    private volatile List<String> cidrs = List.of();

    PodCidrs(String subnet) {
        this.subnet = subnet;
    }

    /** {@code value}: comma-separated CIDRs ("" changes nothing). */
    public void update(String value) {
        if (value.isBlank()) {
            return;
        }
        if (value.length() > MAX_LENGTH) {
            throw JcdException.invalidArgument("pod CIDR is %d characters long; at most %d", value.length(), MAX_LENGTH);
        }
        List<String> parsed = new ArrayList<>();
        for (String c : value.split(",")) {
            parsed.add(check(c.strip()));
        }
        if (parsed.size() > MAX_CIDRS) {
            throw JcdException.invalidArgument("pod CIDR names %d ranges; at most %d", parsed.size(), MAX_CIDRS);
        }
        cidrs = List.copyOf(parsed);
        if (!parsed.contains(subnet)) {
            LOG.warning(() -> "UpdateRuntimeConfig: the node's pod CIDR " + parsed + " is not the pods' subnet " + subnet
                    + " ([network] subnet): pods keep getting addresses from " + subnet + "; set [network] subnet to the node's pod CIDR");
        } else {
            LOG.info(() -> "UpdateRuntimeConfig: pod CIDR " + parsed);
        }
    }

    private static String check(String cidr) {
        int slash = cidr.indexOf('/');
        String what = "pod CIDR \"" + cidr + "\" is not a CIDR (an address and a prefix length, e.g. 10.244.1.0/24 or fd00:10:244::/64)";
        if (slash < 1 || cidr.length() > 64) {
            throw JcdException.invalidArgument("%s", what);
        }
        InetAddress address;
        int prefix;
        try {
            address = InetAddress.ofLiteral(cidr.substring(0, slash));
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (IllegalArgumentException e) {
            throw JcdException.invalidArgument("%s", what);
        }
        if (prefix < 0 || prefix > address.getAddress().length * 8) {
            throw JcdException.invalidArgument("%s: prefix length %d is out of range", what, prefix);
        }
        return cidr;
    }

    public List<String> current() {
        return cidrs;
    }

    public String subnet() {
        return subnet;
    }
}
