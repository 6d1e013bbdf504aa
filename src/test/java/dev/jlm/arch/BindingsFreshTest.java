package dev.jlm.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.jlm.bindings.jlm_h;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** bindings/ is generated from native/include/jlm.h; this fails when someone edits one without the other. */
class BindingsFreshTest {
    static final Path ROOT = Path.of(System.getProperty("jlm.root", "."));

    @Test
    void headerHashMatchesBindings() throws Exception {
        byte[] header = Files.readAllBytes(ROOT.resolve("native/include/jlm.h"));
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(header));
        assertEquals(sha, jlm_h.HEADER_SHA256, "bindings are stale against native/include/jlm.h: run scripts/gen-bindings");
        assertEquals(sha + "  native/include/jlm.h", Files.readString(ROOT.resolve("bindings/header.sha256")).strip());
    }

    @Test
    void regeneratingChangesNothing() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Djlm.root=" + ROOT, ROOT.resolve("scripts/GenBindings.java").toString(), "--check")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), out);
    }
}
