package io.jcontainerd.runtime.cli;

import io.jcontainerd.runtime.container.InitCommand;

/** Prints the init stage's java command line, one argument per line (used by bin/jrunc-aot-train). */
final class InitArgvCommand {
    private InitArgvCommand() {}

    static int run() {
        InitCommand.current().argv(3).stream().filter(a -> !a.startsWith("-XX:AOTCache=") && !a.equals("-Xshare:auto"))
                .forEach(System.out::println);
        return 0;
    }
}
