package dev.jlm.cli;

import dev.jlm.JlmException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** The one place that turns exceptions into a one-line message and an exit code. */
final class Errors {
    static final int USAGE = 2, FAILED = 1, BUG = 70;

    private Errors() {}

    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        Throwable t = e;
        if (t instanceof UncheckedIOException u) t = u.getCause();
        if (t instanceof JlmException || t instanceof IllegalArgumentException || t instanceof IOException
                || t instanceof IllegalStateException) {
            cl.getErr().println("jlm: " + oneLine(t));
            return FAILED;
        }
        cl.getErr().println("jlm: internal error: " + oneLine(t));
        t.printStackTrace(cl.getErr());
        return BUG;
    }

    static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        cl.getErr().println("jlm: " + e.getMessage());
        cl.getErr().println("(see: jlm " + cl.getCommandSpec().qualifiedName(" ").replaceFirst("^jlm ?", "") + " --help)");
        return USAGE;
    }

    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (t instanceof java.nio.file.NoSuchFileException) m = "no such file: " + m;
        else if (t instanceof java.nio.file.AccessDeniedException) m = "permission denied: " + m;
        else if (m == null) m = t.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }
}
