package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The compact pre-token table against a HashMap: counts, merging two tables (directly and by partition), growth past pages and a key longer than the length field. */
class PreTokenTableTest {
    @Test
    void countsEqualAHashMapAcrossGrowthAndMerging() {
        Random r = new Random(3);
        PreTokenTable a = new PreTokenTable(4), b = new PreTokenTable(4);
        Map<String, Long> oracle = new HashMap<>();
        String longKey = " ".repeat((1 << 22) + 5);                        // past the 22-bit length field and one page
        for (int i = 0; i < 200_000; i++) {
            String k = i % 50_000 == 7 ? longKey : Integer.toString(r.nextInt(60_000), 36) + (r.nextBoolean() ? "é" : "");
            String text = "xx" + k + "yy";                                  // looked up by its place in a longer text
            (i % 3 == 0 ? a : b).add(text, 2, 2 + k.length(), 1 + (i & 1));
            oracle.merge(k, (long) (1 + (i & 1)), Long::sum);
        }
        PreTokenCounts partitioned = new PreTokenCounts();
        partitioned.addAll(a);
        partitioned.addAll(b);
        a.addAll(b);
        assertEquals(new TreeMap<>(oracle), new TreeMap<>(partitioned.toMap()));
        assertEquals(oracle.size(), partitioned.size());
        assertEquals(oracle.size(), a.size());
        assertEquals(new TreeMap<>(oracle), new TreeMap<>(a.toMap()));
        assertEquals(oracle.keySet().stream().mapToLong(String::length).sum(), a.totalChars());
    }
}
