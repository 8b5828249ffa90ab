package io.jcontainerd.ctr;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

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

    @Test
    void registersNoCommandForTheVersionFlagAndEveryCommandWhenHelpIsAskedToo() {
        CommandLine version = new CommandLine(new Main().spec());
        Commands.addFor(version, new String[]{"-a", "/s.sock", "--version"});
        assertThat(version.getSubcommands()).isEmpty();
        StringWriter out = new StringWriter();
        version.setOut(new PrintWriter(out));
        assertThat(version.execute("-a", "/s.sock", "--version")).isZero();
        assertThat(out.toString()).isEqualTo("jctr " + Main.CLIENT_VERSION + System.lineSeparator());

        CommandLine help = new CommandLine(new Main().spec());
        Commands.addFor(help, new String[]{"-V", "--help"});
        assertThat(help.getSubcommands().keySet()).contains("version", "namespaces", "run", "tasks");
    }

    @Test
    void inAGroupRegistersOnlyTheSubcommandNamedByItsNameOrAlias() {
        assertThat(subcommandsOf("tasks", new String[]{"-a", "/s.sock", "tasks", "ls"})).containsOnly("ls", "list");
        assertThat(subcommandsOf("t", new String[]{"t", "rm", "-f", "x"})).containsOnly("delete", "rm", "del", "remove");
        assertThat(subcommandsOf("images", new String[]{"images", "pull", "docker.io/library/busybox:latest"})).containsOnly("pull");
        assertThat(subcommandsOf("c", new String[]{"c", "list", "-q"})).containsOnly("ls", "list");
    }

    @Test
    void inAGroupRegistersEverySubcommandForHelpAndForAWordItDoesNotKnow() {
        assertThat(subcommandsOf("tasks", new String[]{"tasks", "--help"}))
                .contains("ls", "start", "kill", "ps", "exec", "attach", "pause", "resume", "metrics", "delete");
        assertThat(subcommandsOf("images", new String[]{"images", "lss"})).contains("pull", "ls", "remove", "check", "label");
        assertThat(subcommandsOf("containers", new String[]{"containers"})).contains("ls", "info", "delete", "label");
    }

    @Test
    void helpOfAGroupListsEverySubcommandAndAnUnknownOneIsNamedInTheError() {
        StringWriter out = new StringWriter();
        CommandLine cli = cli(new String[]{"tasks", "--help"});
        cli.setOut(new PrintWriter(out));
        assertThat(cli.execute("tasks", "--help")).isZero();
        assertThat(out.toString()).contains("ls", "exec", "metrics", "delete");

        StringWriter err = new StringWriter();
        CommandLine typo = cli(new String[]{"images", "lss"});
        typo.setErr(new PrintWriter(err));
        assertThat(typo.execute("images", "lss")).isNotZero();
        assertThat(err.toString()).contains("lss");
    }

    @Test
    void runAndTasksExecPassTheContainersArgumentsThroughUntouched() {
        CommandLine run = cli(new String[]{"run", "--rm", "img", "id", "sh", "-c", "echo --rm"});
        var parsed = run.parseArgs("run", "--rm", "img", "id", "sh", "-c", "echo --rm").subcommand();
        assertThat(parsed.matchedPositional(2).<java.util.List<String>>getValue()).containsExactly("sh", "-c", "echo --rm");
        assertThat(parsed.hasMatchedOption("--rm")).isTrue();
        assertThat(parsed.matchedPositional(0).<String>getValue()).isEqualTo("img");
    }

    private static CommandLine cli(String[] args) {
        CommandLine cli = new CommandLine(new Main().spec());
        Commands.addFor(cli, args);
        return cli;
    }

    private static java.util.Set<String> subcommandsOf(String group, String[] args) {
        return cli(args).getSubcommands().get(group).getSubcommands().keySet();
    }
}
