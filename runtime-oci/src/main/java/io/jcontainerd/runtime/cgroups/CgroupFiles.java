package io.jcontainerd.runtime.cgroups;

import io.jcontainerd.runtime.JruncException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Reading and writing cgroup control files, with errors that name the file. */
final class CgroupFiles {
    private CgroupFiles() {}

    static void write(Path file, String value) {
        try {
            Files.writeString(file, value);
        } catch (IOException e) {
            throw JruncException.system("cannot write %s to %s: %s", value, file, e.getMessage());
        }
    }

    static String read(Path file) {
        try {
            try (var in = new java.io.FileInputStream(file.toFile())) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).trim();
            }
        } catch (java.io.FileNotFoundException e) {
            return "";
        } catch (IOException e) {
            throw JruncException.system("cannot read %s: %s", file, e.getMessage());
        }
    }

    static long readLong(Path file) {
        String s = read(file);
        if (s.isEmpty() || s.equals("max")) return -1;
        try {
            return Long.parseLong(s.split("\\s+")[0]);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static Map<String, Long> readKeyed(Path file) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String line : read(file).split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    out.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException ignored) {
                    // non-numeric entries are not stats
                }
            }
        }
        return out;
    }

    static void rmdir(Path dir) {
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                Files.deleteIfExists(dir);
                return;
            } catch (IOException e) {
                // EBUSY while the last task is still exiting
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        throw JruncException.system("cannot remove cgroup %s: still busy; kill its processes first", dir);
    }

    static void awaitValue(Path file, String expected, String what) {
        for (int i = 0; i < 500; i++) {
            if (read(file).contains(expected)) return;
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw JruncException.system("timed out waiting for %s (%s to show %s)", what, file, expected);
    }

    /** Pids in dir's cgroup.procs and in those of every cgroup below it (runc's GetAllPids); empty when dir is gone. */
    static java.util.List<Integer> procsBelow(Path dir) {
        java.util.List<Integer> out = new java.util.ArrayList<>();
        if (!java.nio.file.Files.isDirectory(dir)) return out;
        try (var tree = java.nio.file.Files.walk(dir, 64)) {
            for (Path d : tree.filter(java.nio.file.Files::isDirectory).toList()) {
                String procs;
                try {
                    procs = java.nio.file.Files.readString(d.resolve("cgroup.procs"));
                } catch (java.nio.file.NoSuchFileException gone) {
                    continue; // removed while we walked
                }
                for (String l : procs.split("\n")) if (!l.isBlank()) out.add(Integer.parseInt(l.trim()));
            }
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw io.jcontainerd.runtime.JruncException.system("cannot list the processes of cgroup %s: %s", dir, e.getMessage());
        }
        return out;
    }
}
