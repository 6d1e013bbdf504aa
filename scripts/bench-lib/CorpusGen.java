import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A reproducible web-like corpus for BPE at scale, made from bundled data only: half its lines are real web-text
 * lines (data/webtext_train_head_1408docs.txt, cycled), half are runs of words drawn Zipf-like (s = 1) from a seeded
 * lexicon of pseudo-words built from syllables, so the number of distinct pre-tokens grows with the size as in
 * real web text. Documents end with <|endoftext|>.
 * With "distinct", the lexicon's words are all different (drawn again until they are), which gives the regime of
 * ~7-8M distinct pre-tokens at 3 GB; without it, syllable collisions leave ~2M.
 *   java scripts/bench-lib/CorpusGen.java SIZE_GB OUT [SEED] [LEXICON_WORDS] [distinct]
 */
public class CorpusGen {
    public static void main(String[] a) throws Exception {
        double gb = Double.parseDouble(a[0]);
        Path out = Path.of(a[1]);
        long seed = a.length > 2 ? Long.parseLong(a[2]) : 1;
        int lexiconSize = a.length > 3 ? Integer.parseInt(a[3]) : 6_000_000;
        SplittableRandom r = new SplittableRandom(seed);
        List<String> web = Files.readAllLines(Path.of("data/webtext_train_head_1408docs.txt"), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();
        String[] syl = {"ka", "to", "ri", "ne", "sa", "mo", "lu", "pi", "da", "ve", "shi", "gor", "an", "el", "ust", "ph", "qua", "zen", "bri", "ox",
                "é", "ü", "ñ", "ing", "tion", "er", "st", "th", "ch", "y"};
        boolean distinct = a.length > 4 && a[4].equals("distinct");
        java.util.Set<String> seen = distinct ? new java.util.HashSet<>(2 * lexiconSize) : null;
        String[] lexicon = new String[lexiconSize];
        for (int i = 0; i < lexiconSize; i++) {
            StringBuilder w = new StringBuilder();
            int n = 1 + (int) Math.min(6, Math.abs(r.nextGaussian()) * 2 + 1);
            for (int k = 0; k < n; k++) w.append(syl[r.nextInt(syl.length)]);
            if (r.nextInt(10) == 0) w.setCharAt(0, Character.toUpperCase(w.charAt(0)));
            lexicon[i] = w.toString();
            if (distinct && !seen.add(lexicon[i])) i--;             // a collision: draw this word again
        }
        double[] cdf = new double[lexiconSize];                      // Zipf, s = 1
        double sum = 0;
        for (int i = 0; i < lexiconSize; i++) cdf[i] = sum += 1.0 / (i + 1);
        long target = (long) (gb * 1e9), written = 0;
        int line = 0;
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            while (written < target) {
                String s;
                if (r.nextBoolean()) {
                    s = web.get(line++ % web.size());
                } else {
                    StringBuilder b = new StringBuilder();
                    int words = 5 + r.nextInt(20);
                    for (int k = 0; k < words; k++) {
                        double u = r.nextDouble() * sum;
                        int lo = 0, hi = lexiconSize - 1;
                        while (lo < hi) {
                            int mid = (lo + hi) >>> 1;
                            if (cdf[mid] < u) lo = mid + 1;
                            else hi = mid;
                        }
                        b.append(k == 0 ? "" : " ").append(lexicon[lo]);
                    }
                    s = b.append('.').toString();
                }
                if (r.nextInt(40) == 0) s += "<|endoftext|>";
                byte[] bytes = (s + "\n").getBytes(StandardCharsets.UTF_8);
                o.write(bytes);
                written += bytes.length;
            }
        }
        System.err.printf("wrote %s: %.2f GB%n", out, written / 1e9);
    }
}
