package dev.jlm.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Random strings for the oracle comparisons: code points drawn from ranges, whole pieces (special tokens, contractions) mixed in. */
final class RandomText {
    private RandomText() {}

    /**
     * {@code count} strings of up to {@code maxLength} draws each; a draw is one of {@code pieces} with chance 1 in
     * {@code oneIn}, else a code point of a random range [from, to) of {@code ranges}.
     */
    static List<String> of(long seed, int count, int maxLength, int[][] ranges, List<String> pieces, int oneIn) {
        Random r = new Random(seed);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            StringBuilder sb = new StringBuilder();
            for (int k = r.nextInt(maxLength); k > 0; k--) {
                if (!pieces.isEmpty() && r.nextInt(oneIn) == 0) {
                    sb.append(pieces.get(r.nextInt(pieces.size())));
                } else {
                    int[] g = ranges[r.nextInt(ranges.length)];
                    sb.appendCodePoint(g[0] + r.nextInt(g[1] - g[0]));
                }
            }
            out.add(sb.toString());
        }
        return out;
    }
}
