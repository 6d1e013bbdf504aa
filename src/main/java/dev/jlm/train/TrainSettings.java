package dev.jlm.train;

import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.config.ConfigException;
import dev.jlm.config.Settings;
import dev.jlm.nn.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * A {@link TrainConfig} from the settings someone gave by key — flags, a --config file, a sweep's JSON — the rest
 * from the defaults. With {@code init_from}, the model is the one those files hold: model settings given too must
 * agree with them. Settings that would do nothing alone are refused (eval_every or eval_windows without valid).
 */
public final class TrainSettings {
    private TrainSettings() {}

    /**
     * @param given settings by key (values of the setting's type, or text to parse); only those explicitly given
     * @param named how a message names a given setting (the CLI: by its flag)
     */
    public static TrainConfig build(Map<String, ?> given, UnaryOperator<String> named) throws IOException {
        Map<String, Object> values = new LinkedHashMap<>(given);
        Object init = values.get("init_from");
        if (init != null) {
            Map<String, Object> model = new LinkedHashMap<>();
            for (Settings.Setting s : Settings.of(ModelConfig.class)) {
                Object v = values.get(s.key());
                if (v != null) model.put(s.key(), v instanceof String text ? Settings.parse(s, text) : v);
            }
            ModelFiles.Resolved r = ModelFiles.resolve(init instanceof Path p ? p : Path.of(init.toString()), model, named);
            values.putAll(Settings.values(r.config()));
            values.put("init_from", r.weights());
        }
        if (values.get("valid") == null) {                       // alone they would measure nothing
            for (String k : new String[] {"eval_every", "eval_windows"}) {
                if (given.containsKey(k)) {
                    throw new ConfigException(named.apply(k) + " sets how validation loss is measured on " + named.apply("valid")
                            + ", which is not given: give " + named.apply("valid") + " (validation tokens), or drop it");
                }
            }
        }
        return Settings.build(TrainConfig.class, values);
    }
}
