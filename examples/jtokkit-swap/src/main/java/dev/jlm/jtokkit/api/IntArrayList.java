package dev.jlm.jtokkit.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** jtokkit's {@code IntArrayList}: a growable list of primitive ints (token ids). */
public class IntArrayList {
    private int[] items;
    private int size;

    /** An empty list. */
    public IntArrayList() {
        this(10);
    }

    /** An empty list with room for {@code capacity} ids. */
    public IntArrayList(int capacity) {
        items = new int[Math.max(0, capacity)];
    }

    /** The list holding exactly {@code ids} (not copied). */
    static IntArrayList wrap(int[] ids) {
        IntArrayList l = new IntArrayList(0);
        l.items = ids;
        l.size = ids.length;
        return l;
    }

    /** Empties the list. */
    public void clear() {
        size = 0;
    }

    /** Appends {@code value}. */
    public void add(int value) {
        if (size == items.length) ensureCapacity(Math.max(10, items.length * 2));
        items[size++] = value;
    }

    /** The id at {@code index}. */
    public int get(int index) {
        check(index);
        return items[index];
    }

    /** Sets the id at {@code index}; the previous one. */
    public int set(int index, int value) {
        check(index);
        int old = items[index];
        items[index] = value;
        return old;
    }

    /** Grows the backing array to at least {@code capacity}. */
    public void ensureCapacity(int capacity) {
        if (capacity > items.length) items = Arrays.copyOf(items, capacity);
    }

    /** The number of ids. */
    public int size() {
        return size;
    }

    /** Whether the list holds no id. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** A copy of the ids. */
    public int[] toArray() {
        return Arrays.copyOf(items, size);
    }

    /** The ids boxed, as a new list. */
    public List<Integer> boxed() {
        List<Integer> out = new ArrayList<>(size);
        for (int i = 0; i < size; i++) out.add(items[i]);
        return out;
    }

    private void check(int index) {
        if (index < 0 || index >= size) throw new IndexOutOfBoundsException("index " + index + ", size " + size);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof IntArrayList)) return false;
        IntArrayList other = (IntArrayList) o;
        return Arrays.equals(items, 0, size, other.items, 0, other.size);
    }

    @Override
    public int hashCode() {
        int h = 1;
        for (int i = 0; i < size; i++) h = 31 * h + items[i];
        return h;
    }

    @Override
    public String toString() {
        return Arrays.toString(toArray());
    }
}
