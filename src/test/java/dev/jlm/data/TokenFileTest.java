package dev.jlm.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jlm.JlmException;
import dev.jlm.testing.TokenFiles;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A token file cut short by another program while it is mapped (a training run reading it): a read of a page no longer
 * in the file is one JlmException naming the file and both sizes, not the JVM's raw InternalError. Oracle: the sizes
 * the test wrote and cut.
 */
class TokenFileTest {
    @Test
    void aFileCutShortWhileMappedIsNamed(@TempDir Path dir) throws Exception {
        Path f = TokenFiles.random(dir.resolve("t.bin"), 100_000, 64, 1);
        try (TokenFile t = TokenFile.open(f, 64, "vocab_size"); Arena a = Arena.ofConfined()) {
            t.get(90_000);                                               // readable while whole
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                ch.truncate(1000);
            }
            String said = f + ": the token file changed while it was read (200,000 bytes when opened, now 1,000): a token file must stay as it is"
                    + " while jlm reads it";
            MemorySegment dst = a.allocate(8 * 16);
            assertEquals(said, assertThrows(JlmException.class, () -> t.copyAsLongs(90_000, 16, dst, 0)).getMessage());
            assertEquals(said, assertThrows(JlmException.class, () -> t.get(95_000)).getMessage());
            assertEquals(said, assertThrows(JlmException.class, t::checkAll).getMessage());
        }
    }
}
