package dev.jlm.cli;

import dev.jlm.JlmException;
import dev.jlm.config.ConfigException;
import dev.jlm.tokenizer.TokenizerException;
import java.io.IOException;
import java.io.UncheckedIOException;
import picocli.CommandLine;

/** The one place that turns exceptions into a one-line message and an exit code. */
final class Errors {
    static final int USAGE = 2, FAILED = 1, BUG = 70;

    private Errors() {}

    static int handle(Exception e, CommandLine cl, CommandLine.ParseResult parsed) {
        Throwable t = e;
        if (t instanceof CommandLine.ParameterException p) return handleUsage(p, null);   // a --config value out of its domain
        if (t instanceof UncheckedIOException u) t = u.getCause();
        if (t instanceof ConfigException) {                  // settings that make no config: a usage error, like a bad flag
            cl.getErr().println("jlm: " + oneLine(t) + " (see: " + cl.getCommandSpec().qualifiedName(" ") + " --help)");
            return USAGE;
        }
        if (t instanceof JlmException || t instanceof TokenizerException || t instanceof IllegalArgumentException || t instanceof IOException) {
            cl.getErr().println("jlm: " + oneLine(t));
            return FAILED;
        }
        // anything else (IllegalStateException: a tensor used after its scope closed, a full KV cache …) is jlm's bug
        boolean debug = false;
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) debug |= p.hasMatchedOption("--debug");
        if (debug) {
            cl.getErr().println("jlm: internal error: " + oneLine(t) + " — this is a bug; stack trace:");
            t.printStackTrace(cl.getErr());
        } else {
            cl.getErr().println("jlm: internal error: " + oneLine(t) + " — this is a bug; stack trace in " + traceFile(t)
                    + " (or rerun with --debug)");
        }
        return BUG;
    }

    /** An Error no command caught (picocli passes on only Exceptions): one line and an exit code, as {@link #handle}. */
    static int fatal(Throwable t, String[] args) {
        if (t instanceof OutOfMemoryError) {
            System.err.println("jlm: out of memory (" + oneLine(t) + "); give the JVM more with JLM_JAVA_OPTS=-Xmx…, or ask for less");
            return FAILED;
        }
        if (java.util.Arrays.asList(args).contains("--debug")) {
            System.err.println("jlm: internal error: " + oneLine(t) + " — this is a bug; stack trace:");
            t.printStackTrace();
        } else {
            System.err.println("jlm: internal error: " + oneLine(t) + " — this is a bug; stack trace in " + traceFile(t) + " (or rerun with --debug)");
        }
        return BUG;
    }

    /** Writes the stack trace to a new file under the temp folder; returns its path (or where it failed). */
    private static String traceFile(Throwable t) {
        try {
            java.nio.file.Path f = java.nio.file.Files.createTempFile("jlm-bug-", ".txt");
            java.io.StringWriter w = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(w));
            java.nio.file.Files.writeString(f, w.toString());
            return f.toString();
        } catch (IOException e) {
            return "nowhere (" + e.getMessage() + ")";
        }
    }

    /** A flag the parser or an option's domain refused: one line, exit 2. */
    static int handleUsage(CommandLine.ParameterException e, String[] args) {
        CommandLine cl = e.getCommandLine();
        String hint = "";
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            // the nearest name by edits where one is near (picocli lists its candidates alphabetically), so that every verb
            // gives a misspelt flag the same hint whatever else it has
            String typed = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().getFirst().replaceFirst("=.*", "");
            String near = dev.jlm.config.Settings.nearest(typed, u.getSuggestions());
            hint = "; did you mean " + (near != null ? near : String.join(" or ", u.getSuggestions().stream().limit(3).toList())) + "?";
        }
        cl.getErr().println("jlm: " + oneLine(e) + hint + " (see: " + cl.getCommandSpec().qualifiedName(" ") + " --help)");
        return USAGE;
    }

    /** The message in one line; the settings a library message names are said as their flags (batch_size → --batch-size). */
    static String oneLine(Throwable t) {
        String m = t.getMessage();
        if (t instanceof JlmException j && m != null) m = SettingFlags.inFlagWords(m, j.settings());
        if (t instanceof java.nio.file.NoSuchFileException) m = "no such file: " + m;
        else if (t instanceof java.nio.file.AccessDeniedException) m = "permission denied: " + m;
        else if (t instanceof java.nio.file.FileAlreadyExistsException e && e.getReason() == null) {     // Java says only the path
            String kind = dev.jlm.io.Inputs.kind(java.nio.file.Path.of(e.getFile()));
            m = e.getFile() + " already exists" + (kind == null ? "" : ", as " + kind);
        } else if (t instanceof java.nio.file.NotDirectoryException e && e.getReason() == null) m = e.getFile() + " is not a folder";
        else if (t instanceof java.nio.file.DirectoryNotEmptyException e && e.getReason() == null) m = e.getFile() + " is a folder that is not empty";
        else if (m == null) m = t.getClass().getSimpleName();
        return m.replace('\n', ' ');
    }
}
