package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import io.jcontainerd.api.services.namespaces.v1.NamespacesGrpc;
import io.jcontainerd.ctr.client.Connection;

import java.io.IOException;
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

    /** Tags of fields 1 and 2 as length-delimited (strings, messages): field number << 3 | wire type 2. */
    private static final int FIELD_1 = 1 << 3 | 2;
    private static final int FIELD_2 = 2 << 3 | 2;

    private NamespaceList() {
    }

    /** Namespaces/List with no filter (the request's one field unset: zero bytes, as {@link WireCall} sends). */
    static List<Entry> list(Connection connection) {
        return WireCall.call(connection, NamespacesGrpc.SERVICE_NAME, "List", NamespaceList::read);
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
                name = WireCall.readUtf8(in);
            } else if (tag == FIELD_2) {
                int limit = in.pushLimit(in.readRawVarint32());
                String key = "";
                String value = "";
                for (int t; (t = in.readTag()) != 0; ) {
                    if (t == FIELD_1) {
                        key = WireCall.readUtf8(in);
                    } else if (t == FIELD_2) {
                        value = WireCall.readUtf8(in);
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
