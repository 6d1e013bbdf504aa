package dev.jlm.tokenizer.tiktoken;

import dev.jlm.tokenizer.OraclePython;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The independent oracle: tiktoken (Python, Rust core) in the project venv, run offline on the rank files of jtokkit's
 * jar (scripts/reference/tiktoken_ref.py puts them where tiktoken's cache looks).
 */
final class TiktokenOracle {
    private TiktokenOracle() {}

    static final List<String> RANK_FILES = List.of("r50k_base", "p50k_base", "cl100k_base", "o200k_base");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonWriteFeature.ESCAPE_NON_ASCII).build();

    /** jtokkit's rank files copied into {@code dir} as NAME.tiktoken. */
    static Path rankDir(Path dir) throws IOException {
        for (String n : RANK_FILES) {
            try (InputStream in = TiktokenOracle.class.getClassLoader().getResourceAsStream("com/knuddels/jtokkit/" + n + ".tiktoken")) {
                if (in == null) throw new IllegalStateException("jtokkit's " + n + ".tiktoken is not on the test class path");
                Files.write(dir.resolve(n + ".tiktoken"), in.readAllBytes());
            }
        }
        return dir;
    }

    /** tiktoken's ids of each text: {@code encode_ordinary} (allAllowed false) or {@code encode(allowed_special="all")}. */
    static int[][] encode(Path rankDir, String encoding, List<String> texts, boolean allAllowed) throws Exception {
        OraclePython.requireModule("tiktoken");
        OraclePython.requireModule("regex");
        Path in = Files.createTempFile("tiktoken-in", ".json"), out = Files.createTempFile("tiktoken-out", ".json");
        try {
            JSON.writeValue(in.toFile(), Map.of("encoding", encoding, "mode", allAllowed ? "all" : "ordinary", "texts", texts));
            Path script = Path.of(System.getProperty("jlm.root", "."), "scripts/reference/tiktoken_ref.py");
            ProcessBuilder pb = new ProcessBuilder(OraclePython.python(), script.toString(), rankDir.toString(), in.toString(), out.toString())
                    .redirectErrorStream(true);
            pb.environment().put("RUST_BACKTRACE", "0");
            Process p = pb.start();
            String log = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) throw new IllegalStateException("tiktoken_ref.py failed: " + log);
            if (!log.isBlank()) System.out.println("tiktoken_ref.py " + encoding + ": " + log.strip());
            return JSON.readValue(out.toFile(), int[][].class);
        } finally {
            Files.deleteIfExists(in);
            Files.deleteIfExists(out);
        }
    }
}
