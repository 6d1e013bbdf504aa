package dev.jlm.cli;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * Standard output whose write failure is kept, not swallowed. Java's {@code System.out} is a PrintStream: it drops an
 * IOException and only sets a flag, so {@code jlm eval … > result.json} on a full disk (or {@code > /dev/full}) left a
 * cut result and exited 0. This stream remembers the first failure; {@link #finish} then says it, one line naming
 * standard output, and the exit code is not 0. A reader that stopped reading ({@code | head}: a broken pipe) is not an
 * error (a C program dies of SIGPIPE there without a word); commands that write as they go (generate) stop at
 * {@link #failed}, instead of computing for no one.
 */
final class StandardOutput extends OutputStream {
    private static volatile StandardOutput installed;
    private final FileOutputStream out = new FileOutputStream(FileDescriptor.out);
    private volatile IOException failure;

    private StandardOutput() {}

    /** Replaces System.out (same charset, flushed at each line as before) with one whose failure is kept. */
    static void install() {
        StandardOutput s = new StandardOutput();
        installed = s;
        System.setOut(new PrintStream(new BufferedOutputStream(s, 8192), true, System.out.charset()));
    }

    /** Whether writing standard output has failed (any reason, a closed pipe too): nothing more written there arrives. */
    static boolean failed() {
        StandardOutput s = installed;
        return s != null ? s.failure != null : System.out.checkError();
    }

    /** Flushes standard output; its failure, if any, said on standard error and turned into a failing exit code. */
    static int finish(int code) {
        System.out.flush();
        StandardOutput s = installed;
        IOException e = s == null ? null : s.failure;
        if (e == null || brokenPipe(e)) return code;
        System.err.println("jlm: could not write standard output (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + "): what it holds is incomplete");
        return code == 0 ? Errors.FAILED : code;
    }

    private static boolean brokenPipe(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (failure != null) throw failure;
        try {
            out.write(b, off, len);
        } catch (IOException e) {
            failure = e;
            throw e;
        }
    }
}
