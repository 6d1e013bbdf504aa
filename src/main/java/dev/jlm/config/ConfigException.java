package dev.jlm.config;

import dev.jlm.JlmException;

/** Settings that cannot make a config: a value outside its domain, or settings that contradict each other. */
public final class ConfigException extends JlmException {
    public ConfigException(String message) {
        super(message);
    }
}
