package io.jcontainerd.network;

import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.network.store.RecordStore;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The /etc files of each container's sandbox (hosts, resolv.conf, hostname) under
 * {@code <state>/network/containers/<key>}: written in place (a running container has each inode
 * bind-mounted), and a container's hosts file rewritten when a peer on one of its user-defined
 * networks comes or goes. One lock keeps a peer's rewrite out of files being deleted.
 */
final class SandboxFiles {
    private final Path etcDir;
    private final RecordStore<Sandbox> sandboxes;
    private final Object lock = new Object();

    SandboxFiles(Path etcDir, RecordStore<Sandbox> sandboxes) {
        this.etcDir = etcDir;
        this.sandboxes = sandboxes;
    }

    /** The directory of the container's files. */
    Path dir(String key) {
        return etcDir.resolve(key);
    }

    Path etcDir() {
        return etcDir;
    }

    /** Deletes the container's files, running {@code alsoLocked} (the record's deletion) under the same lock first. */
    void delete(String key, Runnable alsoLocked) {
        synchronized (lock) {
            alsoLocked.run();
            deleteTree(dir(key));
        }
    }

    /** The container's /etc/hosts: itself, its extra hosts, its peers on each user-defined network it is on. */
    void writeOwnHosts(Sandbox s) {
        if (!s.ownsNetns()) {
            return;
        }
        String gateway = s.endpoints().isEmpty() ? "" : s.endpoints().getFirst().gateway();
        List<EtcFiles.HostEntry> extra = s.extraHosts().stream().map(h -> EtcFiles.extraHost(h, gateway)).toList();
        List<String> own = s.endpoints().stream().map(Endpoint::address).filter(a -> !a.isEmpty()).toList();
        List<EtcFiles.HostEntry> peers = new ArrayList<>();
        List<Sandbox> all = sandboxes.all();
        for (Endpoint mine : s.endpoints()) {
            if (mine.network().equals(NetworkManager.DEFAULT_NETWORK)) {
                continue; // as Docker: no name resolution on the default bridge
            }
            for (Sandbox other : all) {
                other.endpoint(mine.network()).filter(e -> !e.address().isEmpty()).ifPresent(e -> {
                    List<String> names = new ArrayList<>();
                    if (!other.name().isEmpty()) {
                        names.add(other.name());
                    }
                    e.aliases().stream().filter(a -> !names.contains(a)).forEach(names::add);
                    String shortId = other.containerId().substring(0, Math.min(12, other.containerId().length()));
                    if (!names.contains(shortId) && EtcFiles.isPeerName(shortId)) {
                        names.add(shortId);
                    }
                    peers.add(new EtcFiles.HostEntry(e.address(), names));
                });
            }
        }
        Path file = Path.of(s.hostsPath());
        if (Files.isDirectory(file.getParent())) {
            write(file, EtcFiles.hosts(s.hostname(), s.domainname(), own, extra, peers));
        }
    }

    /** Rewrites /etc/hosts of every container on {@code network} (in place: a running container's bind mount sees it). */
    void refreshHosts(String network) {
        if (network.equals(NetworkManager.DEFAULT_NETWORK)) {
            return;
        }
        synchronized (lock) {
            for (Sandbox s : sandboxes.all()) {
                if (s.endpoint(network).isPresent() && Files.exists(Path.of(s.hostsPath()))) {
                    writeOwnHosts(s);
                }
            }
        }
    }

    static void write(Path file, String text) {
        try {
            Files.createDirectories(file.getParent());
            // in place, never by rename: a running container has this inode bind-mounted
            Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw JcdException.unavailable("cannot write %s: %s", file, e.getMessage());
        }
    }

    /** A file of the host's /etc; "" when it does not exist. */
    static String readHostFile(String path) {
        try {
            return Files.readString(Path.of(path));
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw JcdException.unavailable("cannot read %s: %s", path, e.getMessage());
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw JcdException.unavailable("cannot delete %s: %s", dir, e.getMessage());
        }
    }
}
