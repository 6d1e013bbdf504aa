package dev.jlm.tensor;

import dev.jlm.JlmException;

/** A libtorch call failed; the message is libtorch's own text, prefixed with the jlm operation. */
public final class TorchException extends JlmException {
    private final String op;

    public TorchException(String op, String torchMessage) {
        super(op + ": " + firstLines(torchMessage));
        this.op = op;
    }

    public String op() {
        return op;
    }

    // libtorch messages can carry a long C++ trace after the first lines; keep what a person needs.
    private static String firstLines(String s) {
        if (s == null || s.isBlank()) return "(libtorch gave no message)";
        String[] lines = s.strip().split("\n");
        return lines.length <= 3 ? String.join(" | ", lines) : String.join(" | ", lines[0], lines[1], lines[2]) + " ...";
    }
}
