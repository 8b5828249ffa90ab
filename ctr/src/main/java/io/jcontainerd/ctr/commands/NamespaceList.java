package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.jcontainerd.api.services.namespaces.v1.ListNamespacesRequest;
import io.jcontainerd.api.services.namespaces.v1.NamespacesGrpc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Namespaces/List for {@code jctr namespaces ls}, its answer read straight from the wire. The generated
 * {@code Namespace} builds its proto file's descriptors (with descriptor.proto's, ~300 classes
 * initialised, ~20 ms of CPU) the first time its labels map is touched, parsed or read, even empty;
 * ls only needs names and labels (README "Performance", follow-up 7). NamespaceListTest holds this
 * reading to the generated parser's.
 */
final class NamespaceList {
    /** One namespace of the answer: its name and labels in the order they came. */
    record Entry(String name, Map<String, String> labels) {
    }

    private static final MethodDescriptor<ListNamespacesRequest, List<Entry>> LIST =
            NamespacesGrpc.getListMethod().toBuilder(ProtoUtils.marshaller(ListNamespacesRequest.getDefaultInstance()),
                    new MethodDescriptor.Marshaller<List<Entry>>() {
                        @Override
                        public InputStream stream(List<Entry> value) {
                            throw new UnsupportedOperationException("jctr only reads a Namespaces/List answer");
                        }

                        @Override
                        public List<Entry> parse(InputStream stream) {
                            try {
                                return read(CodedInputStream.newInstance(stream));
                            } catch (IOException e) {
                                throw new UncheckedIOException("cannot read the Namespaces/List answer: " + e.getMessage(), e);
                            }
                        }
                    }).build();

    /** Tags of fields 1 and 2 as length-delimited (strings, messages): field number << 3 | wire type 2. */
    private static final int FIELD_1 = 1 << 3 | 2;
    private static final int FIELD_2 = 2 << 3 | 2;

    private NamespaceList() {
    }

    static List<Entry> list(Channel channel) {
        return ClientCalls.blockingUnaryCall(channel, LIST, CallOptions.DEFAULT, ListNamespacesRequest.getDefaultInstance());
    }

    /** ListNamespacesResponse: 1 = repeated Namespace {1 = name, 2 = repeated LabelsEntry {1 = key, 2 = value}}. */
    static List<Entry> read(CodedInputStream in) throws IOException {
        List<Entry> out = new ArrayList<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == FIELD_1) {
                int limit = in.pushLimit(in.readRawVarint32());
                out.add(namespace(in));
                in.popLimit(limit);
            } else {
                in.skipField(tag);
            }
        }
        return out;
    }

    private static Entry namespace(CodedInputStream in) throws IOException {
        String name = "";
        Map<String, String> labels = new LinkedHashMap<>();
        for (int tag; (tag = in.readTag()) != 0; ) {
            if (tag == FIELD_1) {
                name = in.readStringRequireUtf8();
            } else if (tag == FIELD_2) {
                int limit = in.pushLimit(in.readRawVarint32());
                String key = "";
                String value = "";
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == FIELD_1) {
                        key = in.readStringRequireUtf8();
                    } else if (t == FIELD_2) {
                        value = in.readStringRequireUtf8();
                    } else {
                        in.skipField(t);
                    }
                }
                in.popLimit(limit);
                labels.put(key, value); // a repeated key: the last wins, as in the generated map
            } else {
                in.skipField(tag);
            }
        }
        return new Entry(name, labels);
    }
}
