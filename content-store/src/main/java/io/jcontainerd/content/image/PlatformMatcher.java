package io.jcontainerd.content.image;

import java.util.Comparator;
import java.util.List;

/**
 * Decides which manifests of an index fit a wanted platform, and which fits best. Like
 * containerd's platforms.Only: an arm64 host also runs arm/v7 images, amd64 also 386 is NOT
 * assumed (containerd does not either), and an absent variant matches the architecture's default.
 */
public final class PlatformMatcher {

    private final Platform wanted;

    private PlatformMatcher(Platform wanted) {
        this.wanted = wanted.normalize();
    }

    public static PlatformMatcher of(Platform wanted) {
        return new PlatformMatcher(wanted);
    }

    public static PlatformMatcher host() {
        return new PlatformMatcher(Platform.host());
    }

    public Platform wanted() {
        return wanted;
    }

    public boolean matches(Platform candidate) {
        return rank(candidate) >= 0;
    }

    /** Lower is better; -1 means no match. */
    int rank(Platform candidate) {
        Platform c = candidate.normalize();
        if (!c.os().equals(wanted.os())) {
            return -1;
        }
        if (c.architecture().equals(wanted.architecture())) {
            if (c.variant().equals(wanted.variant())) return 0;
            if (wanted.variant().isEmpty() || c.variant().isEmpty()) return 1;
            return compatibleArmVariant(c) ? 2 : -1;
        }
        // 64-bit arm hosts run 32-bit arm images (containerd's arm64 → arm/v7 fallback).
        if (wanted.architecture().equals("arm64") && c.architecture().equals("arm")) {
            return switch (c.variant()) {
                case "v8" -> 3;
                case "v7" -> 4;
                case "v6" -> 5;
                case "v5" -> 6;
                default -> -1;
            };
        }
        return -1;
    }

    private boolean compatibleArmVariant(Platform c) {
        if (!c.architecture().equals("arm")) return false;
        int want = armLevel(wanted.variant());
        int have = armLevel(c.variant());
        return want > 0 && have > 0 && have <= want;
    }

    private static int armLevel(String variant) {
        return switch (variant) {
            case "v5" -> 5;
            case "v6" -> 6;
            case "v7" -> 7;
            case "v8" -> 8;
            default -> 0;
        };
    }

    /** Orders matching platforms best first (ties keep their index order). */
    public Comparator<Platform> bestFirst() {
        return Comparator.comparingInt(p -> {
            int r = rank(p);
            return r < 0 ? Integer.MAX_VALUE : r;
        });
    }

    /** The single best match among the candidates' platforms, by index; -1 if none fits. */
    public int best(List<Platform> candidates) {
        int best = -1;
        int bestRank = Integer.MAX_VALUE;
        for (int i = 0; i < candidates.size(); i++) {
            int r = rank(candidates.get(i));
            if (r >= 0 && r < bestRank) {
                best = i;
                bestRank = r;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return wanted.format();
    }
}
