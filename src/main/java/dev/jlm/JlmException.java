package dev.jlm;

/** Root of every error jlm reports on purpose; the CLI prints its message as one line and exits non-zero. */
public class JlmException extends RuntimeException {
    public JlmException(String message) {
        super(message);
    }

    public JlmException(String message, Throwable cause) {
        super(message, cause);
    }
}
