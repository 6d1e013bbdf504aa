package dev.jlm.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The block-arena lists against plain lists: appends (a repeat of the last entry dropped), releases and block reuse. */
class PairListsTest {
    @Test
    void listsEqualPlainListsThroughReleasesAndReuse() {
        Random r = new Random(5);
        PairLists lists = new PairLists();
        Map<Integer, List<Integer>> oracle = new HashMap<>();
        for (int step = 0; step < 400_000; step++) {
            int slot = r.nextInt(r.nextInt(10) == 0 ? 5000 : 40);        // a few long lists, many short ones
            if (r.nextInt(500) == 0) {
                lists.release(slot);
                oracle.remove(slot);
                continue;
            }
            int w = r.nextInt(4) == 0 ? 7 : r.nextInt(1_000_000);
            lists.add(slot, w);
            List<Integer> l = oracle.computeIfAbsent(slot, s -> new ArrayList<>());
            if (l.isEmpty() || l.get(l.size() - 1) != w) l.add(w);
        }
        for (int slot = 0; slot < 5000; slot++) {
            List<Integer> got = new ArrayList<>();
            lists.forEach(slot, got::add);
            List<Integer> want = oracle.getOrDefault(slot, List.of());
            assertEquals(want.size(), got.size(), "slot " + slot);
            assertEquals(want.stream().sorted().toList(), got.stream().sorted().toList(), "slot " + slot);
        }
    }
}
