package dev.jlm.tokenizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The corpus-wide pre-token counts: {@link PreTokenTable}s partitioned by hash, so that adding a block's counts
 * works on one small part at a time (its slots stay in cache) and no rehash ever copies the whole table.
 */
final class PreTokenCounts {
    private static final int BITS = 6;

    private final PreTokenTable[] parts = new PreTokenTable[1 << BITS];

    PreTokenCounts() {
        for (int p = 0; p < parts.length; p++) parts[p] = new PreTokenTable(1 << 10);
    }

    /** Adds every count of a block's table. */
    void addAll(PreTokenTable block) {
        block.addAllTo(parts);
    }

    int size() {
        int n = 0;
        for (PreTokenTable t : parts) n += t.size();
        return n;
    }

    long totalChars() {
        long n = 0;
        for (PreTokenTable t : parts) n += t.totalChars();
        return n;
    }

    /** Every pre-token, part by part. */
    void forEachChars(PreTokenTable.CharsEntry v) {
        for (PreTokenTable t : parts) t.forEachChars(v);
    }

    static PreTokenCounts of(Map<String, int[]> counts) {
        PreTokenCounts c = new PreTokenCounts();
        c.addAll(PreTokenTable.of(counts));
        return c;
    }

    Map<String, Long> toMap() {
        Map<String, Long> m = new LinkedHashMap<>();
        for (PreTokenTable t : parts) m.putAll(t.toMap());
        return m;
    }
}
