package dev.jlm.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * Splits a UTF-8 file into blocks of about {@code blockSize} bytes, cut only where pre-tokenization cannot see
 * across the cut: at the start of a special token, or after a newline that sits between two ASCII non-space
 * characters. Pre-tokenizing blocks one by one therefore gives exactly the pre-tokens of the whole file,
 * whatever the block size or the number of threads working on blocks.
 */
final class SafeChunks {
    /** A block: bytes[0, length) of the file starting at {@code offset}. */
    record Chunk(byte[] bytes, int length, long offset) {}

    interface Sink {
        void accept(Chunk c) throws IOException;
    }

    private final byte[][] specialBytes;
    private final int blockSize;

    SafeChunks(List<String> specials, int blockSize) {
        this.specialBytes = specials.stream().filter(s -> !s.isEmpty()).map(s -> s.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
        this.blockSize = blockSize;
    }

    void forEach(Path file, Sink sink) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            byte[] carry = new byte[0];
            long offset = 0;
            ByteBuffer buf = ByteBuffer.allocate(blockSize);
            while (true) {
                buf.clear();
                int n = ch.read(buf);
                boolean eof = n < 0;
                byte[] block = Arrays.copyOf(carry, carry.length + Math.max(n, 0));
                if (n > 0) System.arraycopy(buf.array(), 0, block, carry.length, n);
                int cut = eof ? block.length : safeCut(block);
                if (cut > 0) {
                    sink.accept(new Chunk(block, cut, offset));
                    offset += cut;
                }
                carry = cut > 0 ? Arrays.copyOfRange(block, cut, block.length) : block;
                if (eof) return;
            }
        }
    }

    /** Last safe cut in b (> 0), or -1. */
    int safeCut(byte[] b) {
        for (int p = b.length - 1; p >= 2; p--) {
            for (byte[] sp : specialBytes) if (startsWith(b, p, sp)) return p;
            if (b[p - 1] == '\n' && asciiNonSpace(b[p - 2]) && asciiNonSpace(b[p])) return p;
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int p, byte[] sp) {
        if (p + sp.length > b.length) return false;
        for (int i = 0; i < sp.length; i++) if (b[p + i] != sp[i]) return false;
        return true;
    }

    private static boolean asciiNonSpace(byte c) {
        return c > 0x20 && c < 0x7F;
    }
}
