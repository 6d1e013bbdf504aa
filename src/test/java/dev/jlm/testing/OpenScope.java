package dev.jlm.testing;

import dev.jlm.tensor.TensorScope;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * {@code @ExtendWith(OpenScope.class)}: every test of the class runs inside its own TensorScope, opened before it and
 * closed (every tensor it made freed) after it, on the test's thread.
 */
public final class OpenScope implements BeforeEachCallback, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(OpenScope.class);

    @Override
    public void beforeEach(ExtensionContext context) {
        context.getStore(NS).put("scope", TensorScope.open());
    }

    @Override
    public void afterEach(ExtensionContext context) {
        TensorScope s = context.getStore(NS).remove("scope", TensorScope.class);
        if (s != null) s.close();
    }
}
