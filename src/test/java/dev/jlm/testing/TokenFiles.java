package dev.jlm.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Writes small uint16 token files for tests. */
public final class TokenFiles {
    private TokenFiles() {}

    public static Path write(Path file, int[] ids) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ids.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int id : ids) b.putShort((short) id);
        return Files.write(file, b.array());
    }

    /** Pseudo-text: a repeating pattern with noise, so a model can learn something. */
    public static Path random(Path file, int n, int vocab, long seed) throws IOException {
        Random r = new Random(seed);
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = r.nextInt(4) == 0 ? r.nextInt(vocab) : (i * 7) % vocab;
        return write(file, ids);
    }
}
