package dev.jlm.tokenizer;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of the copied CS336 fixtures (src/test/resources/fixtures, see PROVENANCE.md). */
final class Fixtures {
    private Fixtures() {}

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("missing fixture " + name, e);
        }
    }
}
