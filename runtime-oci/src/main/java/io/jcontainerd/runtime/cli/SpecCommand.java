package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** spec [--bundle dir]: writes a default config.json like runc's. */
final class SpecCommand {
    private SpecCommand() {}

    static int run(List<String> argv) throws IOException {
        Args a = Args.parse("spec", argv, Args.spec(Set.of("bundle"), Set.of("rootless")), Map.of("b", "bundle"), false);
        Path bundle = Path.of(a.value("bundle", "."));
        boolean rootless = a.flag("rootless");
        if (rootless) throw JruncException.invalidArgument("spec --rootless: rootless containers are not supported by jrunc");
        Path target = bundle.resolve("config.json");
        try (InputStream in = SpecCommand.class.getResourceAsStream("/io/jcontainerd/runtime/default-config.json")) {
            Files.write(target, in.readAllBytes(), java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            throw JruncException.alreadyExists("File %s exists. Remove it first", target);
        }
        return 0;
    }
}
