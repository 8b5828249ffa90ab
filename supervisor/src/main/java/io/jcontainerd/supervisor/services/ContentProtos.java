package io.jcontainerd.supervisor.services;

import io.jcontainerd.api.services.content.v1.Info;
import io.jcontainerd.api.services.content.v1.Status;
import io.jcontainerd.config.errdefs.JcdException;
import io.jcontainerd.content.image.Digest;
import io.jcontainerd.content.store.IngestStatus;
import io.jcontainerd.proto.Timestamps;
import io.jcontainerd.supervisor.content.ContentInfo;

import java.time.Instant;

/** Content records and ingest states to and from containerd's content v1 messages. */
final class ContentProtos {
    private ContentProtos() {
    }

    static Info info(ContentInfo i) {
        Info.Builder b = Info.newBuilder().setDigest(i.digest().toString()).setSize(i.size()).putAllLabels(i.labels());
        Timestamps.setIfKnown(i.createdAt(), b::setCreatedAt);
        Timestamps.setIfKnown(i.updatedAt(), b::setUpdatedAt);
        return b.build();
    }

    static Status status(IngestStatus s) {
        Status.Builder b = Status.newBuilder().setRef(s.ref()).setOffset(s.offset()).setTotal(s.total());
        if (s.expected() != null) {
            b.setExpected(s.expected().toString());
        }
        Timestamps.setIfKnown(known(s.startedAt()), b::setStartedAt);
        Timestamps.setIfKnown(known(s.updatedAt()), b::setUpdatedAt);
        return b.build();
    }

    /** The backend reports an unreadable ingest time as the epoch; on the wire that must be "unset", not 1970. */
    static Instant known(Instant t) {
        return t == null || t.equals(Instant.EPOCH) ? null : t;
    }

    /** A request's digest field: required, InvalidArgument when empty or malformed. */
    static Digest digest(String text) {
        if (text.isEmpty()) {
            throw JcdException.invalidArgument("digest is required: send \"sha256:<64 hex characters>\"");
        }
        return Digest.parse(text);
    }

    /** An optional digest field: null when empty. */
    static Digest optionalDigest(String text) {
        return text.isEmpty() ? null : Digest.parse(text);
    }
}
