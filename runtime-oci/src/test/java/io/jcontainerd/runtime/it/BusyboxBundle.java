package io.jcontainerd.runtime.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** A bundle whose rootfs is /bin/busybox plus its applet links, with config.json from `jrunc spec`. */
final class BusyboxBundle implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    final Path dir;
    final ObjectNode config;

    private BusyboxBundle(Path dir, ObjectNode config) {
        this.dir = dir;
        this.config = config;
    }

    static BusyboxBundle create(Jrunc jrunc) throws IOException, InterruptedException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) throw new IllegalStateException("/bin/busybox is missing: apt-get install busybox-static");
        Path dir = Files.createTempDirectory("jrunc-bundle-");
        Path rootfs = dir.resolve("rootfs");
        for (String d : List.of("bin", "proc", "sys", "dev", "tmp", "etc")) Files.createDirectories(rootfs.resolve(d));
        Files.copy(busybox, rootfs.resolve("bin/busybox"));
        Process list = new ProcessBuilder("/bin/busybox", "--list").start();
        for (String applet : new String(list.getInputStream().readAllBytes()).split("\n")) {
            if (!applet.isBlank() && !applet.equals("busybox")) Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet.trim()), Path.of("busybox"));
        }
        list.waitFor();
        Files.writeString(rootfs.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n");
        Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
        Jrunc.Result spec = jrunc.run("spec", "--bundle", dir.toString());
        if (spec.code() != 0) throw new IllegalStateException("jrunc spec failed: " + spec.stderr());
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("config.json").toFile());
        ((ObjectNode) config.get("process")).put("terminal", false);
        ((ObjectNode) config.get("root")).put("readonly", false);
        config.put("hostname", "jrunc-it");
        BusyboxBundle b = new BusyboxBundle(dir, config);
        b.save();
        return b;
    }

    BusyboxBundle args(String... args) throws IOException {
        ArrayNode a = ((ObjectNode) config.get("process")).putArray("args");
        for (String s : args) a.add(s);
        return save();
    }

    ObjectNode process() { return (ObjectNode) config.get("process"); }
    ObjectNode linux() { return (ObjectNode) config.get("linux"); }

    BusyboxBundle save() throws IOException {
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), config);
        return this;
    }

    Path rootfs() { return dir.resolve("rootfs"); }

    @Override public void close() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
