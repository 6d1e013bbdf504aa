package dev.jlm.tokenizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
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
    record Chunk(byte[] bytes, int length, long offset) {
        /** The block as text; invalid UTF-8 is an error naming the file and the byte offset. */
        String text(String file) {
            return decode(file, new char[length]).toString();
        }

        /**
         * The block as text in {@code into} (reused when it holds {@code length} chars — UTF-8 never has fewer bytes
         * than chars — else a new array); invalid UTF-8 is an error naming the file and the byte offset.
         */
        CharArrayText decode(String file, char[] into) {
            char[] chars = into.length >= length ? into : new char[length];
            CharsetDecoder dec = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
            CharBuffer out = CharBuffer.wrap(chars);
            CoderResult r = dec.decode(in, out, true);
            if (!r.isError()) r = dec.flush(out);
            if (r.isMalformed()) {
                throw new TokenizerException(file + ": invalid UTF-8 at byte offset " + (offset + in.position()) + " (the corpus must be UTF-8 text)");
            }
            if (r.isError()) throw new TokenizerException(file + ": cannot decode as UTF-8 near byte offset " + (offset + in.position()));
            return new CharArrayText(chars, out.position());
        }
    }

    /**
     * The cut rule besides special tokens, on code units of text (chars) or of UTF-8 (bytes) alike: a block may start
     * at unit p when unit p−1 is a newline between two ASCII non-space units (p−2 and p), where no pre-token spans.
     */
    static boolean newlineCut(int beforeNewline, int newline, int at) {
        return newline == '\n' && asciiNonSpace(beforeNewline) && asciiNonSpace(at);
    }

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
            if (newlineCut(b[p - 2], b[p - 1], b[p])) return p;
        }
        return -1;
    }

    private static boolean startsWith(byte[] b, int p, byte[] sp) {
        if (p + sp.length > b.length) return false;
        for (int i = 0; i < sp.length; i++) if (b[p + i] != sp[i]) return false;
        return true;
    }

    private static boolean asciiNonSpace(int c) {
        return c > 0x20 && c < 0x7F;
    }
}
