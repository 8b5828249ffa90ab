package io.jcontainerd.ctr.commands;

import io.jcontainerd.api.services.content.v1.ContentGrpc;
import io.jcontainerd.api.services.content.v1.DeleteContentRequest;
import io.jcontainerd.api.services.content.v1.Info;
import io.jcontainerd.api.services.content.v1.ListContentRequest;
import io.jcontainerd.api.services.content.v1.ReadContentRequest;
import io.jcontainerd.config.HumanDuration;
import io.jcontainerd.ctr.client.Connection;
import io.jcontainerd.ctr.output.Labels;
import io.jcontainerd.ctr.output.Table;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** {@code jctr content ls|get|rm}, as ctr's. */
@Command(name = "content", description = "manage content",
        subcommands = {ContentCommand.Ls.class, ContentCommand.Get.class, ContentCommand.Rm.class})
public final class ContentCommand {

    abstract static class Sub extends ConnectedCommand {
        @Override
        int run(Connection conn) {
            return run(ContentGrpc.newBlockingStub(conn.channel()));
        }

        abstract int run(ContentGrpc.ContentBlockingStub content);
    }

    @Command(name = "ls", aliases = "list", description = "list blobs: DIGEST SIZE AGE LABELS")
    static final class Ls extends Sub {
        @Option(names = {"-q", "--quiet"}, description = "print only the digests") boolean quiet;
        @Parameters(description = "filters, e.g. labels.containerd.io/uncompressed") List<String> filters = List.of();

        int run(ContentGrpc.ContentBlockingStub content) {
            List<Info> all = new ArrayList<>();
            content.list(ListContentRequest.newBuilder().addAllFilters(filters).build())
                    .forEachRemaining(r -> all.addAll(r.getInfoList()));
            all.sort(Comparator.comparing(Info::getDigest));
            if (quiet) {
                all.forEach(i -> out().println(i.getDigest()));
                out().flush();
                return 0;
            }
            Table t = new Table("DIGEST", "SIZE", "AGE", "LABELS");
            Instant now = Instant.now();
            for (Info i : all) {
                Instant created = Instant.ofEpochSecond(i.getCreatedAt().getSeconds(), i.getCreatedAt().getNanos());
                t.row(i.getDigest(), humanSize(i.getSize()), HumanDuration.of(Duration.between(created, now)),
                        Labels.format(i.getLabelsMap()));
            }
            t.print(out());
            return 0;
        }
    }

    @Command(name = "get", description = "write a blob to stdout: DIGEST")
    static final class Get extends Sub {
        @Parameters(index = "0") String digest;

        int run(ContentGrpc.ContentBlockingStub content) {
            OutputStream stdout = System.out;
            var chunks = content.read(ReadContentRequest.newBuilder().setDigest(digest).build());
            try {
                while (chunks.hasNext()) {
                    chunks.next().getData().writeTo(stdout);
                }
                stdout.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + digest + " to stdout: " + e.getMessage(), e);
            }
            return 0;
        }
    }

    @Command(name = "remove", aliases = {"rm", "delete", "del"}, description = "remove blobs from the namespace: DIGEST...")
    static final class Rm extends Sub {
        @Parameters(arity = "1..*") List<String> digests;

        int run(ContentGrpc.ContentBlockingStub content) {
            for (String d : digests) {
                content.delete(DeleteContentRequest.newBuilder().setDigest(d).build());
                out().println(d);
            }
            out().flush();
            return 0;
        }
    }

    /** go-units HumanSize: decimal units, four significant digits ("2.15MB", "755B"). */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        String s = String.format("%.4g", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s + units[u];
    }
}
