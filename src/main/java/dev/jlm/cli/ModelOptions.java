package dev.jlm.cli;

import dev.jlm.JlmException;
import dev.jlm.config.Settings;
import dev.jlm.nn.ModelConfig;

/** The model's setting flags with the CS336 TinyStories defaults, for a command that describes a new model. */
final class ModelOptions {
    final SettingFlags flags = new SettingFlags(ModelConfig.class, true, "", k -> true);

    /** The model these flags describe. */
    ModelConfig config() {
        return Settings.build(ModelConfig.class, flags.values());
    }
}
