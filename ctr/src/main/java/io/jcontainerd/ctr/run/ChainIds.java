package io.jcontainerd.ctr.run;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** OCI image-spec chain IDs: chain(L0) = diff(L0); chain(Ln) = sha256(chain(Ln-1) + " " + diff(Ln)). */
final class ChainIds {
    private ChainIds() {
    }

    static String of(List<String> diffIds) {
        if (diffIds.isEmpty()) {
            throw new IllegalArgumentException("the image has no layers: there is no root filesystem to run");
        }
        String chain = diffIds.getFirst();
        for (String diff : diffIds.subList(1, diffIds.size())) {
            chain = "sha256:" + sha256(chain + " " + diff);
        }
        return chain;
    }

    private static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
