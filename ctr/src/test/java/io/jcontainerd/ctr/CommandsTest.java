package io.jcontainerd.ctr;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

class CommandsTest {
    @Test
    void findsTheCommandWordPastGlobalOptionsAndTheirValues() {
        assertThat(Commands.commandWord(new String[]{"-a", "/s.sock", "-n", "x", "--debug", "ns", "ls"})).isEqualTo("ns");
        assertThat(Commands.commandWord(new String[]{"--timeout", "10s", "version"})).isEqualTo("version");
        assertThat(Commands.commandWord(new String[]{"--help"})).isNull();
    }

    @Test
    void registersOnlyTheCommandAskedForAndEverythingOtherwise() {
        CommandLine one = new CommandLine(new Main().spec());
        Commands.addFor(one, new String[]{"-n", "x", "ns", "ls"});
        assertThat(one.getSubcommands().keySet()).contains("namespaces", "ns").doesNotContain("version", "snapshots");

        CommandLine all = new CommandLine(new Main().spec());
        Commands.addFor(all, new String[]{"--help"});
        assertThat(all.getSubcommands().keySet()).contains("version", "namespaces", "plugins", "snapshots", "containers");
    }
}
