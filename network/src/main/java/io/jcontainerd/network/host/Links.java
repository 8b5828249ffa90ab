package io.jcontainerd.network.host;

import io.jcontainerd.config.errdefs.JcdException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** The host's network interfaces: listed from /sys/class/net, bridges deleted through iproute2's `ip`. */
public final class Links {
    private static final Path SYS_NET = Path.of("/sys/class/net");

    public boolean exists(String name) {
        return Files.exists(SYS_NET.resolve(name));
    }

    /** Names of every interface of the host's network namespace. */
    public List<String> names() {
        try (Stream<Path> s = Files.list(SYS_NET)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw JcdException.unavailable("cannot list %s: %s", SYS_NET, e.getMessage());
        }
    }

    /** Names of the interfaces enslaved to bridge {@code bridge} (its veths). */
    public List<String> bridgePorts(String bridge) {
        Path brif = SYS_NET.resolve(bridge).resolve("brif");
        if (!Files.isDirectory(brif)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(brif)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Deletes bridge {@code name} if it exists. */
    public void deleteBridge(String name) {
        if (!exists(name)) {
            return;
        }
        if (!Files.isDirectory(SYS_NET.resolve(name).resolve("bridge"))) {
            throw JcdException.failedPrecondition("interface %s is not a bridge: not deleting it", name);
        }
        ProcessBuilder pb = new ProcessBuilder("ip", "link", "del", "dev", name).redirectErrorStream(true);
        pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readNBytes(64 * 1024), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw JcdException.unavailable("ip link del %s did not finish in 30 s", name);
            }
            if (p.exitValue() != 0 && exists(name)) {
                throw JcdException.unavailable("ip link del %s failed: %s", name, out.strip());
            }
        } catch (IOException e) {
            throw JcdException.failedPrecondition("cannot run ip link del %s: %s (install Debian's iproute2)", name, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw JcdException.unavailable("interrupted while deleting bridge %s", name);
        }
    }
}
