package io.jcontainerd.content.image;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.jcontainerd.config.errdefs.JcdException;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An OCI content descriptor: what a blob is, its digest and size, and where else to find it. */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Descriptor(
        @JsonProperty("mediaType") String mediaType,
        @JsonProperty("digest") Digest digest,
        @JsonProperty("size") long size,
        @JsonProperty("annotations") Map<String, String> annotations,
        @JsonProperty("platform") Platform platform,
        @JsonProperty("urls") List<String> urls) {

    public Descriptor {
        if (digest == null) {
            throw JcdException.invalidArgument("descriptor of media type %s has no digest", mediaType);
        }
        if (size < 0) {
            throw JcdException.invalidArgument("descriptor %s has a negative size %d", digest, size);
        }
        mediaType = mediaType == null ? "" : mediaType;
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
        urls = urls == null ? List.of() : List.copyOf(urls);
    }

    public Descriptor(String mediaType, Digest digest, long size) {
        this(mediaType, digest, size, Map.of(), null, List.of());
    }

    /** The platform, which only index entries carry. */
    public Optional<Platform> findPlatform() {
        return Optional.ofNullable(platform);
    }

    @JsonIgnore
    public MediaTypes.Kind kind() {
        return MediaTypes.kindOf(mediaType);
    }

    /** The ingest ref containerd's clients use for this blob, e.g. "layer-sha256:…". */
    @JsonIgnore
    public String ingestRef() {
        MediaTypes.Kind k = kind();
        return (k == MediaTypes.Kind.UNKNOWN ? "blob" : k.refPrefix()) + "-" + digest;
    }

    @Override
    public String toString() {
        return mediaType + " " + digest + " (" + size + " bytes)";
    }
}
