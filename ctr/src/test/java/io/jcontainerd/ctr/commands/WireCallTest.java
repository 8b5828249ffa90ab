package io.jcontainerd.ctr.commands;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The string fields jctr reads from the wire are protobuf's: the same text, the same refusals of malformed UTF-8. */
class WireCallTest {
    /** Valid and malformed UTF-8: ASCII, 2-, 3- and 4-byte forms, overlong forms, surrogates, past U+10FFFF, cut short. */
    private static final List<String> SAMPLES = List.of("", "6a637472", "c3a9", "e29c93", "f09f9a80", "f48fbfbf",
            "c080", "c1bf", "e08080", "eda080", "edbfbf", "f08f8080", "f4908080", "f5808080", "ff", "80", "e282", "f09f9a",
            "61c3", "c3a961e29c93f09f9a80");

    @Test
    void readsEveryStringAsProtobufDoesAndRefusesWhatItRefuses() throws Exception {
        for (String hex : SAMPLES) {
            byte[] text = HexFormat.of().parseHex(hex);
            byte[] field = field1(text);
            String expected;
            try {
                CodedInputStream generated = CodedInputStream.newInstance(field);
                generated.readTag();
                expected = generated.readStringRequireUtf8();
            } catch (InvalidProtocolBufferException e) {
                assertThatThrownBy(() -> readField1(field)).as(hex)
                        .isInstanceOf(InvalidProtocolBufferException.class).hasMessage(e.getMessage());
                continue;
            }
            assertThat(readField1(field)).as(hex).isEqualTo(expected);
        }
    }

    private static String readField1(byte[] field) throws Exception {
        return WireCall.readStrings(CodedInputStream.newInstance(field), "absent")[0];
    }

    private static byte[] field1(byte[] text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(1 << 3 | 2);
        out.write(text.length);
        out.writeBytes(text);
        return out.toByteArray();
    }
}
