package io.jcontainerd.ctr;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ShortCommandTest {
    @TempDir
    Path dir;

    @Test
    void takesThePlainFormsOfVersionVersionFlagAndNamespacesLs() {
        ShortCommand version = ShortCommand.parse(new String[]{"version"}, Map.of());
        assertThat(version.kind()).isEqualTo(ShortCommand.Kind.VERSION);
        assertThat(version.globals()).isEqualTo(new GlobalOptions(Path.of("/run/jcontainerd/jcontainerd.sock"),
                "default", Duration.ZERO, Duration.ZERO, false));

        ShortCommand ls = ShortCommand.parse(new String[]{"-a", "/s.sock", "--namespace=k8s.io", "--timeout", "1m30s",
                "--connect-timeout=2s", "--debug", "ns", "list", "-q"}, Map.of());
        assertThat(ls.kind()).isEqualTo(ShortCommand.Kind.NAMESPACES_LS);
        assertThat(ls.quiet()).isTrue();
        assertThat(ls.globals()).isEqualTo(new GlobalOptions(Path.of("/s.sock"), "k8s.io", Duration.ofSeconds(90),
                Duration.ofSeconds(2), true));
        assertThat(ShortCommand.parse(new String[]{"namespaces", "ls"}, Map.of()).quiet()).isFalse();
        assertThat(ShortCommand.parse(new String[]{"namespace", "ls", "--quiet"}, Map.of()).quiet()).isTrue();

        assertThat(ShortCommand.parse(new String[]{"--version"}, Map.of()).kind()).isEqualTo(ShortCommand.Kind.VERSION_FLAG);
        assertThat(ShortCommand.parse(new String[]{"-a", "/s.sock", "-V"}, Map.of()).connects()).isFalse();
    }

    @Test
    void theEnvironmentGivesTheDefaultsAndAnOptionOverridesIt() {
        Map<String, String> env = Map.of("CONTAINERD_ADDRESS", "/e.sock", "CONTAINERD_NAMESPACE", "");
        GlobalOptions fromEnv = ShortCommand.parse(new String[]{"version"}, env).globals();
        assertThat(fromEnv.address()).isEqualTo(Path.of("/e.sock"));
        assertThat(fromEnv.namespace()).isEmpty(); // as picocli's ${env:...:-default}: set but empty is empty
        assertThat(ShortCommand.parse(new String[]{"-n", "x", "version"}, env).globals().namespace()).isEqualTo("x");
    }

    @Test
    void leavesEveryOtherLineToPicocli() {
        List<List<String>> others = List.of(List.of(), List.of("--help"), List.of("version", "-h"), List.of("-h", "version"),
                List.of("version", "--debug"), List.of("ns"), List.of("ns", "ls", "extra"), List.of("ns", "create", "x"),
                List.of("ns", "ls", "-q", "-q"), List.of("ns", "ls", "--quiet=true"), List.of("-a=/x", "version"),
                List.of("-a/x", "version"), List.of("-a", "/x", "-a", "/y", "version"), List.of("--timeout", "bogus", "version"),
                List.of("-n", "version", "version"), List.of("-a", "-x", "version"), List.of("--debug", "--debug", "version"),
                List.of("@args", "version"), List.of("-n", "@x", "version"), List.of("-a"), List.of("--unknown", "version"),
                List.of("-V", "version"), List.of("version", "-V"), List.of("images", "ls"), List.of("--", "version"),
                List.of("-a", "/x\0y", "version"));
        for (List<String> args : others) {
            assertThat(ShortCommand.parse(args.toArray(String[]::new), Map.of())).as(args.toString()).isNull();
        }
    }

    @Test
    void printsAndExitsAsPicocliDoesWithNoDaemonAnswering() {
        String missing = dir.resolve("nobody.sock").toString();
        List<List<String>> lines = List.of(List.of("--version"), List.of("-a", missing, "-V"), List.of("-a", missing, "version"),
                List.of("--address=" + missing, "-n", "k8s.io", "--timeout", "5s", "--connect-timeout", "0s", "version"),
                List.of("-a", missing, "ns", "ls"), List.of("-a", missing, "namespaces", "list", "-q"));
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            assertThat(viaShortCommand(args)).as(line.toString()).isEqualTo(viaPicocli(args));
        }
        assertThat(viaShortCommand(new String[]{"-a", missing, "version"}).err()).startsWith("jctr: cannot connect to jcontainerd at " + missing);
    }

    private record Outcome(int exit, String out, String err) {
    }

    private static Outcome viaShortCommand(String[] args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ShortCommand plain = ShortCommand.parse(args, System.getenv());
        assertThat(plain).as(List.of(args).toString()).isNotNull();
        int exit = plain.run(new PrintWriter(out), new PrintWriter(err));
        return new Outcome(exit, out.toString(), err.toString());
    }

    private static Outcome viaPicocli(String[] args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var cli = Main.picocli(args);
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Outcome(exit, out.toString(), err.toString());
    }
}
