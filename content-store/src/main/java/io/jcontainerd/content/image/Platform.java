package io.jcontainerd.content.image;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.jcontainerd.config.errdefs.JcdException;

import java.util.List;
import java.util.Locale;

/** The platform an image (manifest) is built for, as in an OCI index entry. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Platform(
        @JsonProperty("os") String os,
        @JsonProperty("architecture") String architecture,
        @JsonProperty("variant") String variant,
        @JsonProperty("os.version") String osVersion,
        @JsonProperty("os.features") List<String> osFeatures) {

    public Platform {
        os = os == null ? "" : os;
        architecture = architecture == null ? "" : architecture;
        variant = variant == null ? "" : variant;
        osVersion = osVersion == null ? "" : osVersion;
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
    }

    public Platform(String os, String architecture, String variant) {
        this(os, architecture, variant, "", List.of());
    }

    /** The platform of the machine we run on, normalised (linux/amd64 here). */
    public static Platform host() {
        String arch = System.getProperty("os.arch", "amd64");
        String os = System.getProperty("os.name", "linux").toLowerCase(Locale.ROOT);
        return new Platform(os.startsWith("linux") ? "linux" : os, arch, "").normalize();
    }

    /**
     * Parses {@code os[/arch[/variant]]} as ctr's --platform does ("linux/arm64/v8", "linux/amd64");
     * a lone architecture such as "arm64" means linux.
     */
    public static Platform parse(String spec) {
        if (spec == null || spec.isBlank()) {
            throw JcdException.invalidArgument("empty platform: expected os/arch[/variant], e.g. linux/amd64");
        }
        String[] parts = spec.trim().toLowerCase(Locale.ROOT).split("/", -1);
        for (String part : parts) {
            if (part.isEmpty()) {
                throw JcdException.invalidArgument("invalid platform \"%s\": expected os/arch[/variant], e.g. linux/amd64", spec);
            }
        }
        return switch (parts.length) {
            case 1 -> isKnownOs(parts[0]) ? new Platform(parts[0], host().architecture, "").normalize()
                    : new Platform("linux", parts[0], "").normalize();
            case 2 -> new Platform(parts[0], parts[1], "").normalize();
            case 3 -> new Platform(parts[0], parts[1], parts[2]).normalize();
            default -> throw JcdException.invalidArgument(
                    "invalid platform \"%s\": expected os/arch[/variant], e.g. linux/amd64", spec);
        };
    }

    private static boolean isKnownOs(String s) {
        return switch (s) {
            case "linux", "windows", "darwin", "freebsd", "solaris", "illumos", "netbsd", "openbsd" -> true;
            default -> false;
        };
    }

    /**
     * Normalises architecture names and variants the way containerd's platforms package does:
     * x86_64 → amd64, aarch64 → arm64 (variant v8 is arm64's default and dropped), armhf → arm/v7.
     */
    public Platform normalize() {
        String arch = architecture.toLowerCase(Locale.ROOT);
        String v = variant.toLowerCase(Locale.ROOT);
        switch (arch) {
            case "i386" -> { arch = "386"; v = ""; }
            case "x86_64", "x86-64", "amd64" -> {
                arch = "amd64";
                if (v.equals("v1")) v = "";
            }
            case "aarch64", "arm64" -> {
                arch = "arm64";
                if (v.equals("8") || v.equals("v8")) v = "";
            }
            case "armhf" -> { arch = "arm"; v = "v7"; }
            case "armel" -> { arch = "arm"; v = "v6"; }
            case "arm" -> {
                if (v.isEmpty() || v.equals("7")) v = "v7";
                else if (v.equals("5") || v.equals("6") || v.equals("8")) v = "v" + v;
            }
            default -> { }
        }
        String o = os.toLowerCase(Locale.ROOT);
        if (o.equals("macos")) o = "darwin";
        return new Platform(o, arch, v, osVersion, osFeatures);
    }

    /** {@code os/arch[/variant]} */
    @JsonIgnore
    public String format() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }

    @Override
    public String toString() {
        return format();
    }
}
