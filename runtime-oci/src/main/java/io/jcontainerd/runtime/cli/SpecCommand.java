package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.JruncException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "spec", description = "write a default config.json into the bundle directory")
final class SpecCommand implements Callable<Integer> {
    @Option(names = {"-b", "--bundle"}) Path bundle = Path.of(".");
    @Option(names = "--rootless", description = "not supported: jrunc runs rootful containers only") boolean rootless;

    @Override public Integer call() throws IOException {
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
