package dev.jlm.tokenizer;

/**
 * What the tokenizer reports on purpose: a file that is not a tokenizer, an id outside the vocabulary, a corpus that
 * cannot train one. The message is one line that names the file (and line) or the value; jlm's CLI prints it as is.
 */
public class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}
