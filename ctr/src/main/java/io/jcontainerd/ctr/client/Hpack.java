package io.jcontainerd.ctr.client;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * HPACK (RFC 7541) as a gRPC client needs it. Decoding is complete: the static and dynamic tables,
 * table size updates and Huffman-coded strings, every length bounded. Encoding writes each field as
 * a literal without indexing, its strings as they are: jctr's requests carry a handful of short
 * headers, so a dynamic table would save nothing.
 */
final class Hpack {
    /** The header table size we accept (SETTINGS_HEADER_TABLE_SIZE, left at its default). */
    static final int TABLE_SIZE = 4096;
    /** The decoded size (RFC 7540 6.5.2: octets of names and values + 32 each) we accept per header block. */
    static final int MAX_HEADER_LIST = 256 << 10;

    private static final String[] STATIC = {
            ":authority", "",
            ":method", "GET",
            ":method", "POST",
            ":path", "/",
            ":path", "/index.html",
            ":scheme", "http",
            ":scheme", "https",
            ":status", "200",
            ":status", "204",
            ":status", "206",
            ":status", "304",
            ":status", "400",
            ":status", "404",
            ":status", "500",
            "accept-charset", "",
            "accept-encoding", "gzip, deflate",
            "accept-language", "",
            "accept-ranges", "",
            "accept", "",
            "access-control-allow-origin", "",
            "age", "",
            "allow", "",
            "authorization", "",
            "cache-control", "",
            "content-disposition", "",
            "content-encoding", "",
            "content-language", "",
            "content-length", "",
            "content-location", "",
            "content-range", "",
            "content-type", "",
            "cookie", "",
            "date", "",
            "etag", "",
            "expect", "",
            "expires", "",
            "from", "",
            "host", "",
            "if-match", "",
            "if-modified-since", "",
            "if-none-match", "",
            "if-range", "",
            "if-unmodified-since", "",
            "last-modified", "",
            "link", "",
            "location", "",
            "max-forwards", "",
            "proxy-authenticate", "",
            "proxy-authorization", "",
            "range", "",
            "referer", "",
            "refresh", "",
            "retry-after", "",
            "server", "",
            "set-cookie", "",
            "strict-transport-security", "",
            "transfer-encoding", "",
            "user-agent", "",
            "vary", "",
            "via", "",
            "www-authenticate", "",
    };

    /** A header field: names are lower-case ASCII, values ISO-8859-1 (gRPC's are ASCII or base64). */
    record Field(String name, String value) {
    }

    private Hpack() {
    }

    /** Appends one field as a literal without indexing, new name (RFC 7541 6.2.2). */
    static void encode(ByteArrayOutputStream out, String name, String value) {
        out.write(0);
        string(out, name);
        string(out, value);
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        integer(out, 0, 7, bytes.length);
        out.writeBytes(bytes);
    }

    static void integer(ByteArrayOutputStream out, int firstBits, int prefix, int value) {
        int max = (1 << prefix) - 1;
        if (value < max) {
            out.write(firstBits | value);
            return;
        }
        out.write(firstBits | max);
        value -= max;
        while (value >= 0x80) {
            out.write((value & 0x7f) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    /** One connection's decoding state: the dynamic table, which lives as long as the connection. */
    static final class Decoder {
        /** Oldest first: index 62 is the last element. */
        private final List<Field> dynamic = new ArrayList<>();
        private int size;
        private int maxSize = TABLE_SIZE;
        private byte[] in;
        private int pos;
        private int end;

        /** The fields of one complete header block. */
        List<Field> decode(byte[] block, int off, int len) throws ProtocolException {
            in = block;
            pos = off;
            end = off + len;
            List<Field> fields = new ArrayList<>();
            long listSize = 0;
            while (pos < end) {
                int b = in[pos] & 0xff;
                Field f;
                if ((b & 0x80) != 0) {
                    f = entry(integer(7));
                } else if ((b & 0x40) != 0) {
                    f = literal(6);
                    insert(f);
                } else if ((b & 0x20) != 0) {
                    int newSize = integer(5);
                    if (newSize > TABLE_SIZE) {
                        throw new ProtocolException("HPACK: table size update to " + newSize + " exceeds our " + TABLE_SIZE);
                    }
                    maxSize = newSize;
                    evict(0);
                    continue;
                } else {
                    f = literal(4);
                }
                listSize += f.name().length() + f.value().length() + 32L;
                if (listSize > MAX_HEADER_LIST) {
                    throw new ProtocolException("HPACK: a header block decodes to more than " + MAX_HEADER_LIST + " bytes");
                }
                fields.add(f);
            }
            in = null;
            return fields;
        }

        private Field literal(int prefix) throws ProtocolException {
            int index = integer(prefix);
            String name = index == 0 ? string() : entry(index).name();
            return new Field(name, string());
        }

        private Field entry(int index) throws ProtocolException {
            if (index >= 1 && index <= STATIC.length / 2) {
                return new Field(STATIC[2 * index - 2], STATIC[2 * index - 1]);
            }
            int d = index - STATIC.length / 2 - 1;
            if (index < 1 || d >= dynamic.size()) {
                throw new ProtocolException("HPACK: index " + index + " is in neither table (dynamic holds " + dynamic.size() + ")");
            }
            return dynamic.get(dynamic.size() - 1 - d);
        }

        private void insert(Field f) {
            int entrySize = f.name().length() + f.value().length() + 32;
            if (entrySize > maxSize) {
                dynamic.clear();
                size = 0;
                return;
            }
            evict(entrySize);
            dynamic.add(f);
            size += entrySize;
        }

        private void evict(int room) {
            while (size + room > maxSize && !dynamic.isEmpty()) {
                Field old = dynamic.removeFirst();
                size -= old.name().length() + old.value().length() + 32;
            }
        }

        private int integer(int prefix) throws ProtocolException {
            int max = (1 << prefix) - 1;
            int value = in[pos++] & max;
            if (value < max) {
                return value;
            }
            for (int shift = 0; ; shift += 7) {
                if (pos >= end) {
                    throw new ProtocolException("HPACK: an integer runs past the end of the header block");
                }
                if (shift > 21) {
                    throw new ProtocolException("HPACK: an integer longer than 4 bytes");
                }
                int b = in[pos++] & 0xff;
                value += (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
        }

        private String string() throws ProtocolException {
            if (pos >= end) {
                throw new ProtocolException("HPACK: a string is missing at the end of the header block");
            }
            boolean huffman = (in[pos] & 0x80) != 0;
            int len = integer(7);
            if (len > end - pos) {
                throw new ProtocolException("HPACK: a string of " + len + " bytes runs past the end of the header block");
            }
            byte[] bytes = huffman ? Huffman.decode(in, pos, len) : java.util.Arrays.copyOfRange(in, pos, pos + len);
            pos += len;
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}
