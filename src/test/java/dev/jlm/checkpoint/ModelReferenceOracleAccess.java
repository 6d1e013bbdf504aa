package dev.jlm.checkpoint;

import java.nio.file.Path;

/** scripts/reference/model_ref.py's eval for tests outside this package. */
public final class ModelReferenceOracleAccess {
    private ModelReferenceOracleAccess() {}

    public static double eval(Path ckpt, Path tokens, int windows) throws Exception {
        return ModelReferenceOracle.eval(ckpt, tokens, windows);
    }
}
