package dev.jlm.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package order of the README's layout: each package of dev.jlm may name (import, or spell out in full) only the
 * packages below it. Only tensor sees the generated bindings and the FFM linker. The tokenizer is a module of its own
 * (jlm-tokenizer, Java 17): it names no other package of dev.jlm and never touches native code.
 */
class BoundaryArchitectureTest {
    static final Path SRC = Path.of(System.getProperty("jlm.root", "."), "src/main/java/dev/jlm");
    static final Path TOKENIZER = Path.of(System.getProperty("jlm.root", "."), "jlm-tokenizer/src/main/java/dev/jlm/tokenizer");
    /** Bottom to top: a package may depend only on those before it. */
    static final List<String> ORDER = List.of("bindings", "io", "config", "tensor", "dist", "tokenizer", "data", "optim", "nn", "generate", "checkpoint",
            "train", "experiments", "serve", "cli");
    static final Pattern NAMED = Pattern.compile("dev\\.jlm\\.([a-z]+)\\.");

    @Test
    void everyPackageNamesOnlyThePackagesBelowIt() throws IOException {
        assertTrue(Files.isDirectory(SRC), "no source folder at " + SRC);
        TreeSet<String> present = new TreeSet<>();
        try (Stream<Path> dirs = Files.list(SRC)) {
            dirs.filter(Files::isDirectory).forEach(d -> present.add(d.getFileName().toString()));
        }
        present.add("bindings");   // generated into bindings/java, outside src/main
        present.add("tokenizer");  // its own module, jlm-tokenizer
        assertEquals(new TreeSet<>(ORDER), present, "every package has a place in ORDER (and every place a package)");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SRC)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SRC.relativize(f.getParent()).toString();
                if (pkg.isEmpty()) continue;                                // dev.jlm itself: JlmException, used by all
                Matcher m = NAMED.matcher(Files.readString(f));
                while (m.find()) {
                    String used = m.group(1);
                    if (!used.equals(pkg) && ORDER.indexOf(used) >= ORDER.indexOf(pkg)) {
                        violations.add(SRC.relativize(f) + " (" + pkg + ") names dev.jlm." + used);
                    }
                }
            }
        }
        assertEquals(List.of(), violations.stream().distinct().toList());
    }

    /** The boundary is one package wide: no other package names dev.jlm.bindings or makes downcalls of its own. */
    @Test
    void onlyTensorTouchesTheBindings() throws IOException {
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SRC)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String pkg = SRC.relativize(f.getParent()).toString();
                String s = Files.readString(f);
                if (pkg.equals("tensor")) continue;
                if (s.contains("dev.jlm.bindings")) violations.add(SRC.relativize(f) + " names dev.jlm.bindings");
                if (s.contains("java.lang.foreign.Linker") || s.contains("SymbolLookup")) violations.add(SRC.relativize(f) + " links native code");
            }
        }
        assertEquals(List.of(), violations);
    }

    @Test
    void tokenizerIsPureJava() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(TOKENIZER)) {
            files = s.filter(f -> f.toString().endsWith(".java")).toList();
        }
        assertTrue(files.size() > 5, "no tokenizer sources under " + TOKENIZER);
        for (Path p : files) {
            String s = Files.readString(p);
            assertEquals(false, s.contains("java.lang.foreign") || NAMED.matcher(s.replace("dev.jlm.tokenizer.", "")).find(), p.toString());
        }
    }
}
