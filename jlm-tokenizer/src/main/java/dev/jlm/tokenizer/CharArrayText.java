package dev.jlm.tokenizer;

/** array[0, length) as a CharSequence: what a decoded block is pre-tokenized from, without copying it into a String. */
record CharArrayText(char[] array, int length) implements CharSequence {
    @Override
    public char charAt(int index) {
        return array[index];                       // index < length is the callers' invariant; the array bounds are checked
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new String(array, start, end - start);
    }

    @Override
    public String toString() {
        return new String(array, 0, length);
    }
}
