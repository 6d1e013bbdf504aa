package dev.jlm;

import java.util.List;

/**
 * Root of every error jlm reports on purpose; the CLI prints its message as one line and exits non-zero. A message
 * about settings names them by their keys ({@code batch_size}) and lists them in {@link #settings}, so that the CLI
 * can say them as the flags the user typed ({@code --batch-size}).
 */
public class JlmException extends RuntimeException {
    private List<String> settings = List.of();

    public JlmException(String message) {
        super(message);
    }

    public JlmException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Marks the setting keys this message names (as words of it). */
    public JlmException naming(String... keys) {
        settings = List.of(keys);
        return this;
    }

    /** The setting keys the message names. */
    public List<String> settings() {
        return settings;
    }
}
