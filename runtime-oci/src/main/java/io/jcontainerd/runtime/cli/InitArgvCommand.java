package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.InitCommand;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

/** Prints the init stage's java command line, one argument per line (used by bin/jrunc-aot-train). */
@Command(name = "__init-argv", hidden = true)
final class InitArgvCommand implements Callable<Integer> {
    @Override public Integer call() {
        InitCommand.current().argv(3).stream().filter(a -> !a.startsWith("-XX:AOTCache=") && !a.equals("-Xshare:auto"))
                .forEach(System.out::println);
        return 0;
    }
}
