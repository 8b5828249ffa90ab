package io.jcontainerd.ctr.client;

import io.grpc.netty.shaded.io.netty.buffer.ByteBuf;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersEncoder;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.net.ProtocolException;
import java.util.HexFormat;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HpackTest {

    @Test
    void decodesRfc7541HuffmanCodedRequest() throws Exception {
        // RFC 7541 C.4.1
        byte[] block = HexFormat.of().parseHex("828684418cf1e3c2e5f23a6ba0ab90f4ff");
        List<Hpack.Field> fields = new Hpack.Decoder().decode(block, 0, block.length);
        assertEquals(List.of(new Hpack.Field(":method", "GET"), new Hpack.Field(":scheme", "http"),
                new Hpack.Field(":path", "/"), new Hpack.Field(":authority", "www.example.com")), fields);
    }

    @Test
    void decodesWhatNettysEncoderWritesWithHuffmanAndTheDynamicTableAcrossBlocks() throws Exception {
        // what the daemon's grpc-netty sends; Huffman forced on for every string
        DefaultHttp2HeadersEncoder netty = new DefaultHttp2HeadersEncoder(Http2HeadersEncoder.NEVER_SENSITIVE, false, 16, 0);
        Hpack.Decoder ours = new Hpack.Decoder();
        for (int round = 0; round < 3; round++) {
            DefaultHttp2Headers h = new DefaultHttp2Headers();
            h.status("200");
            h.add("content-type", "application/grpc");
            h.add("grpc-status", "5");
            h.add("grpc-message", "content sha256:" + "ab".repeat(32) + " not found, round " + round);
            h.add("x-custom-bin", "AAEC/w");
            ByteBuf buf = Unpooled.buffer();
            netty.encodeHeaders(3, h, buf);
            byte[] block = new byte[buf.readableBytes()];
            buf.readBytes(block);
            List<Hpack.Field> fields = ours.decode(block, 0, block.length);
            assertEquals(List.of(new Hpack.Field(":status", "200"), new Hpack.Field("content-type", "application/grpc"),
                    new Hpack.Field("grpc-status", "5"),
                    new Hpack.Field("grpc-message", "content sha256:" + "ab".repeat(32) + " not found, round " + round),
                    new Hpack.Field("x-custom-bin", "AAEC/w")), fields);
        }
    }

    @Test
    void encodesLiteralsThatADecoderReadsBack() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String longValue = "v".repeat(300); // a length past the 7-bit prefix
        Hpack.encode(out, ":path", "/containerd.services.version.v1.Version/Version");
        Hpack.encode(out, "containerd-namespace", longValue);
        byte[] block = out.toByteArray();
        assertEquals(List.of(new Hpack.Field(":path", "/containerd.services.version.v1.Version/Version"),
                new Hpack.Field("containerd-namespace", longValue)), new Hpack.Decoder().decode(block, 0, block.length));
    }

    @Test
    void refusesHostileBlocksNamingWhatIsWrong() {
        byte[] pastEnd = HexFormat.of().parseHex("0005616263"); // literal, name of 5 bytes but 3 given
        ProtocolException e = assertThrows(ProtocolException.class, () -> new Hpack.Decoder().decode(pastEnd, 0, pastEnd.length));
        assertTrue(e.getMessage().contains("runs past the end"), e.getMessage());
        byte[] badIndex = HexFormat.of().parseHex("be"); // index 62: the dynamic table is empty
        e = assertThrows(ProtocolException.class, () -> new Hpack.Decoder().decode(badIndex, 0, badIndex.length));
        assertTrue(e.getMessage().contains("index 62"), e.getMessage());
        byte[] bigTable = HexFormat.of().parseHex("3fe1ff03"); // table size update to 65536
        e = assertThrows(ProtocolException.class, () -> new Hpack.Decoder().decode(bigTable, 0, bigTable.length));
        assertTrue(e.getMessage().contains("exceeds our 4096"), e.getMessage());
        byte[] badPadding = HexFormat.of().parseHex("ff"); // 8 bits of padding: more than 7
        e = assertThrows(ProtocolException.class, () -> Huffman.decode(badPadding, 0, badPadding.length));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
    }
}
