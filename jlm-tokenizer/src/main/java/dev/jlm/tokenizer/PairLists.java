package dev.jlm.tokenizer;

import java.util.Arrays;

/**
 * For each pair slot, the words that (may) hold the pair: a chain of blocks in one paged int arena — no object per
 * pair or per list. A list's blocks double in size (4 … 1024 ints) as it grows; a released list's blocks are reused
 * by later lists (split when smaller blocks are wanted). Entries may be stale (the word lost the pair) or repeated across blocks;
 * a word added twice in a row is stored once.
 * Block layout at address x: [x] = next block's address + 1 (0: none), [x+1] = size class k (2^k ints), entries from x+2.
 */
final class PairLists {
    private static final int PAGE_BITS = 20, PAGE = 1 << PAGE_BITS, MASK = PAGE - 1;
    private static final int MIN_CLASS = 2, MAX_CLASS = 10;

    private int[][] pages = new int[8][];
    private int pageCount, top = PAGE;         // bump allocation in pages[pageCount - 1]
    private final int[] free = new int[MAX_CLASS + 1];   // per size class: a free block's address + 1, chained through [x]
    private int[] head = new int[1 << 12];     // per slot: the newest block's address + 1 (0: empty list)
    private int[] fill = new int[1 << 12];     // per slot: entries in the newest block

    /** Appends word {@code w} to the list of {@code slot}, unless it is the list's last entry. */
    void add(int slot, int w) {
        if (slot >= head.length) {
            head = Arrays.copyOf(head, Math.max(slot + 1, head.length * 2));
            fill = Arrays.copyOf(fill, head.length);
        }
        int h = head[slot], k = MIN_CLASS;
        if (h != 0) {
            int[] p = pages[(h - 1) >>> PAGE_BITS];
            int x = (h - 1) & MASK, f = fill[slot];
            if (p[x + 2 + f - 1] == w) return;
            if (f < (1 << p[x + 1]) - 2) {
                p[x + 2 + f] = w;
                fill[slot] = f + 1;
                return;
            }
            k = Math.min(p[x + 1] + 1, MAX_CLASS);
        }
        int b = allocate(k);
        int[] p = pages[b >>> PAGE_BITS];
        int x = b & MASK;
        p[x] = h;
        p[x + 1] = k;
        p[x + 2] = w;
        head[slot] = b + 1;
        fill[slot] = 1;
    }

    interface WordVisitor {
        void visit(int w);
    }

    /** Visits every entry of the list of {@code slot}, newest block first. The visitor may add to other lists. */
    void forEach(int slot, WordVisitor v) {
        if (slot >= head.length) return;
        int n = fill[slot];
        for (int h = head[slot]; h != 0; ) {
            int[] p = pages[(h - 1) >>> PAGE_BITS];
            int x = (h - 1) & MASK;
            for (int i = 0; i < n; i++) v.visit(p[x + 2 + i]);
            h = p[x];
            if (h != 0) n = (1 << pages[(h - 1) >>> PAGE_BITS][((h - 1) & MASK) + 1]) - 2;
        }
    }

    /** Empties the list of {@code slot}; its blocks go to the free lists. */
    void release(int slot) {
        if (slot >= head.length) return;
        for (int h = head[slot]; h != 0; ) {
            int[] p = pages[(h - 1) >>> PAGE_BITS];
            int x = (h - 1) & MASK, next = p[x], k = p[x + 1];
            p[x] = free[k];
            free[k] = h;
            h = next;
        }
        head[slot] = 0;
        fill[slot] = 0;
    }

    /**
     * A block of 2^k ints: a free one of that class; else half of a free larger one, split down (the halves not taken
     * go to the free lists: the large blocks of merged pairs' lists feed the small first blocks of new pairs); else
     * carved from the current page (a new page when it is full).
     */
    private int allocate(int k) {
        int j = k;
        while (j <= MAX_CLASS && free[j] == 0) j++;
        if (j <= MAX_CLASS) {
            int b = free[j] - 1;
            free[j] = pages[b >>> PAGE_BITS][b & MASK];
            while (j > k) {                                   // keep the lower half, free the upper: b + 2^(j-1)
                j--;
                int upper = b + (1 << j);
                pages[upper >>> PAGE_BITS][upper & MASK] = free[j];
                free[j] = upper + 1;
            }
            return b;
        }
        int size = 1 << k;
        if (top + size > PAGE) {
            if (pageCount == pages.length) pages = Arrays.copyOf(pages, pageCount * 2);
            pages[pageCount++] = new int[PAGE];
            top = 0;
        }
        int b = ((pageCount - 1) << PAGE_BITS) | top;
        top += size;
        return b;
    }
}
