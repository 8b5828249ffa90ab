package io.jcontainerd.ctr;

import io.jcontainerd.ctr.commands.RunCommand;
import io.jcontainerd.ctr.run.RunRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
    void takesThePlainFormsOfRunAsTheRequestPicocliParses() {
        List<List<String>> lines = List.of(List.of("run", "--rm", "docker.io/library/busybox:latest", "x", "true"),
                List.of("-a", "/s.sock", "-n", "k8s.io", "--timeout", "5s", "run", "-d", "busybox", "x", "sleep", "100"),
                List.of("run", "--detach", "busybox", "x"), List.of("run", "busybox", "x"),
                List.of("--debug", "run", "--rm", "busybox", "x", "sh", "-c", "echo -n hi; exit 3"),
                List.of("run", "--rm", "busybox", "x", "ls", "-l", "--rm", "-d", "--color=never", "-"),
                List.of("run", "", "x", ""), List.of("run", "--rm", "b", "x", "-h"));
        for (List<String> line : lines) {
            String[] args = line.toArray(String[]::new);
            ShortCommand plain = ShortCommand.parse(args, System.getenv());
            assertThat(plain).as(line.toString()).isNotNull();
            assertThat(plain.kind()).isEqualTo(ShortCommand.Kind.RUN);
            CommandLine cli = Main.picocli(args);
            CommandLine.ParseResult parsed = cli.parseArgs(args);
            RunCommand run = parsed.subcommand().commandSpec().commandLine().getCommand();
            assertThat(plain.run()).as(line.toString()).isEqualTo(run.request());
            assertThat(plain.globals()).as(line.toString()).isEqualTo(((Main) cli.getCommand()).globals());
        }
        RunRequest rm = ShortCommand.parse(new String[]{"run", "--rm", "busybox", "x", "true"}, Map.of("CONTAINERD_SNAPSHOTTER", "native")).run();
        assertThat(rm.rm()).isTrue();
        assertThat(rm.detach()).isFalse();
        assertThat(rm.args()).containsExactly("true");
        assertThat(rm.snapshotter()).isEqualTo("native");
    }

    @Test
    void leavesEveryOtherFormOfRunToPicocli() {
        List<List<String>> others = List.of(List.of("run"), List.of("run", "busybox"), List.of("run", "--rm"),
                List.of("run", "--rm", "--rm", "b", "x"), List.of("run", "-d", "--detach", "b", "x"),
                List.of("run", "-d", "--rm", "b", "x"), List.of("run", "--rm", "-t", "b", "x"), List.of("run", "--rm=true", "b", "x"),
                List.of("run", "--cni", "b", "x"), List.of("run", "b", "-x"), List.of("run", "b", "x", "@args"),
                List.of("run", "b", "x", "--", "true"), List.of("run", "--", "b", "x"), List.of("run", "-dt", "b", "x"),
                List.of("run", "-e", "A=b", "b", "x"), List.of("-n", "run", "run", "b", "x"), List.of("run", "@b", "x"),
                List.of("run", "-a", "/s.sock", "b", "x"), List.of("run", "--help"));
        for (List<String> args : others) {
            assertThat(ShortCommand.parse(args.toArray(String[]::new), Map.of())).as(args.toString()).isNull();
        }
    }

    @Test
    void printsAndExitsAsPicocliDoesWithNoDaemonAnswering() {
        String missing = dir.resolve("nobody.sock").toString();
        List<List<String>> lines = List.of(List.of("--version"), List.of("-a", missing, "-V"), List.of("-a", missing, "version"),
                List.of("--address=" + missing, "-n", "k8s.io", "--timeout", "5s", "--connect-timeout", "0s", "version"),
                List.of("-a", missing, "ns", "ls"), List.of("-a", missing, "namespaces", "list", "-q"),
                List.of("-a", missing, "run", "--rm", "docker.io/library/busybox:latest", "x", "true"),
                List.of("-a", missing, "-n", "k8s.io", "--debug", "run", "-d", "busybox", "x", "sleep", "9"));
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
