package dev.jlm.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.JlmException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One writer per run folder, also inside one process (a library caller running two trainings, a sweep): the second lock
 * is refused however the folder is named, and the folder is free again once the first is closed. Oracle: the outcomes
 * (across processes: CliNoDamageTest).
 */
class RunFolderLockTest {
    @Test
    void aFolderHasOneWriterAtATime(@TempDir Path dir) throws Exception {
        Path run = dir.resolve("run");
        try (RunFolder.Lock first = RunFolder.lock(run)) {
            assertTrue(Files.isDirectory(run), "the folder is made");
            Path other = dir.resolve("x/../run");                  // the same folder, spelled otherwise
            Files.createDirectories(dir.resolve("x"));
            var e = assertThrows(JlmException.class, () -> RunFolder.lock(other));
            assertEquals("out " + other + " is in use by another jlm train or sweep, which holds " + other.resolve(".lock")
                    + ": wait for it to finish, or train into another folder", e.getMessage());
            assertEquals(java.util.List.of("out"), e.settings());
            assertThrows(JlmException.class, () -> RunFolder.lock(run), "still held after a refused attempt");
        }
        try (RunFolder.Lock again = RunFolder.lock(run)) {
            assertEquals(ProcessHandle.current().pid() + "\n", Files.readString(run.resolve(RunFolder.LOCK)), "the holder's pid, for the message");
        }
    }
}
