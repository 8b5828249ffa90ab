package io.jcontainerd.ctr.commands;

import io.jcontainerd.api.services.events.v1.EventsGrpc;
import io.jcontainerd.api.services.events.v1.SubscribeRequest;
import io.jcontainerd.ctr.Main;
import io.jcontainerd.ctr.output.MessageJson;
import io.jcontainerd.proto.KnownMessages;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code jctr events [FILTER...]}: prints every event as ctr does, one line each:
 * {@code <time> <namespace> <topic> <payload as JSON>}, until interrupted.
 */
@Command(name = "events", aliases = {"event"}, description = "print events as they happen: [FILTER...] e.g. topic~=/tasks/")
public final class EventsCommand implements Callable<Integer> {
    /** Go's time.Time String() layout for UTC, which ctr prints. */
    private static final DateTimeFormatter GO_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSSSS '+0000 UTC'")
            .withZone(ZoneOffset.UTC);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;
    @Parameters(paramLabel = "FILTER")
    List<String> filters = List.of();

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        try (var conn = Main.of(spec).connect()) {
            var stream = EventsGrpc.newBlockingStub(conn.channel())
                    .subscribe(SubscribeRequest.newBuilder().addAllFilters(filters).build());
            while (stream.hasNext()) {
                var e = stream.next();
                Instant at = Instant.ofEpochSecond(e.getTimestamp().getSeconds(), e.getTimestamp().getNanos());
                out.println(GO_TIME.format(at) + " " + e.getNamespace() + " " + e.getTopic() + " " + payload(e.getEvent()));
                out.flush();
            }
        }
        return 0;
    }

    static String payload(com.google.protobuf.Any any) {
        return KnownMessages.decode(any).map(MessageJson::compact)
                .orElse("{\"type_url\":\"" + any.getTypeUrl() + "\"}");
    }
}
