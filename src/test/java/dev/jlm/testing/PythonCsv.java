package dev.jlm.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A CSV file as Python's csv module reads it (csv.reader, the default dialect, strict): an oracle independent of jlm's writer. */
public final class PythonCsv {
    private static final String READ = "import csv, json, sys\n"
            + "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
            + "    print(json.dumps(list(csv.reader(f, strict=True))))\n";

    private PythonCsv() {}

    /** The records of {@code file}, each a list of its fields. */
    public static List<List<String>> read(Path file) throws Exception {
        Process p = new ProcessBuilder(TorchPython.python(), "-c", READ, file.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "python csv.reader " + file + ": " + out);
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode row : new ObjectMapper().readTree(out)) {
            List<String> fields = new ArrayList<>();
            row.forEach(f -> fields.add(f.asText()));
            rows.add(fields);
        }
        return rows;
    }
}
