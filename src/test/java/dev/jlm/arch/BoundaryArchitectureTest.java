package dev.jlm.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Only dev.jlm.tensor may see the generated bindings; the tokenizer never touches native code. */
class BoundaryArchitectureTest {
    static final Path SRC = Path.of(System.getProperty("jlm.root", "."), "src/main/java/dev/jlm");

    static List<Path> importing(String what, String exceptPackageDir) throws IOException {
        try (Stream<Path> files = Files.walk(SRC)) {
            return files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> exceptPackageDir == null || !p.getParent().equals(SRC.resolve(exceptPackageDir)))
                    .filter(p -> {
                        try {
                            return Files.readString(p).contains(what);
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    })
                    .toList();
        }
    }

    @Test
    void onlyTensorImportsBindings() throws IOException {
        assertEquals(List.of(), importing("dev.jlm.bindings", "tensor"));
    }

    @Test
    void tokenizerIsPureJava() throws IOException {
        try (Stream<Path> files = Files.walk(SRC.resolve("tokenizer"))) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String s = Files.readString(p);
                assertEquals(false, s.contains("dev.jlm.tensor") || s.contains("java.lang.foreign.Linker"), p.toString());
            }
        } catch (java.nio.file.NoSuchFileException e) {
            // no tokenizer package yet
        }
    }
}
