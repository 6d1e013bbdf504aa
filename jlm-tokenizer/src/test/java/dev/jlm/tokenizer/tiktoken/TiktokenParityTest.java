package dev.jlm.tokenizer.tiktoken;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Ids identical to tiktoken's for all five encodings: the bundled web text, hostile Unicode, 1 MB runs, special tokens. */
class TiktokenParityTest {
    @TempDir
    static Path tmp;
    static Path ranks;
    static List<String> web = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        ranks = TiktokenOracle.rankDir(Files.createDirectory(tmp.resolve("ranks")));
        Path root = Path.of(System.getProperty("jlm.root", "."), "data");
        for (String f : List.of("webtext_valid_snippets_4724docs.txt", "webtext_train_head_1408docs.txt")) {
            String all = Files.readString(root.resolve(f), StandardCharsets.UTF_8);
            for (int i = 0; i < all.length(); i += 20_000) web.add(all.substring(i, Math.min(all.length(), i + 20_000)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k_base", "p50k_base", "cl100k_base", "o200k_base", "o200k_harmony"})
    void ordinaryIdsAreTiktokens(String name) throws Exception {
        List<String> texts = new ArrayList<>(web);
        texts.addAll(HostileText.samples(3000, 28));
        texts.addAll(HostileText.longRuns());
        Encoding enc = Encodings.get(name);
        int[][] want = TiktokenOracle.encode(ranks, name, texts, false);
        for (int i = 0; i < texts.size(); i++) same(name, texts.get(i), want[i], enc.encodeOrdinary(texts.get(i)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"r50k_base", "cl100k_base", "o200k_base", "o200k_harmony"})
    void allowedSpecialsAreTiktokens(String name) throws Exception {
        Encoding enc = Encodings.get(name);
        List<String> texts = new ArrayList<>(web.subList(0, 20));
        texts.addAll(HostileText.samples(0, 0));
        for (String s : enc.specialTokens().keySet().stream().limit(40).toList()) texts.add("x " + s + s + " y" + s + "\n");
        int[][] want = TiktokenOracle.encode(ranks, name, texts, true);
        for (int i = 0; i < texts.size(); i++) same(name, texts.get(i), want[i], enc.encode(texts.get(i), enc.specialTokens().keySet()));
    }

    private static void same(String name, String text, int[] want, int[] got) {
        if (Arrays.equals(want, got)) return;
        int k = 0;
        while (k < Math.min(want.length, got.length) && want[k] == got[k]) k++;
        String shown = text.length() > 200 ? text.substring(0, 200) + "…(" + text.length() + " chars)" : text;
        fail(name + ": ids differ from tiktoken's at index " + k + " of " + want.length + " (tiktoken " + slice(want, k) + ", jlm "
                + slice(got, k) + ") for text " + escape(shown));
    }

    private static String slice(int[] a, int k) {
        return Arrays.toString(Arrays.copyOfRange(a, Math.max(0, k - 2), Math.min(a.length, k + 4)));
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.codePoints().forEach(c -> b.append(c >= 32 && c < 127 ? Character.toString(c) : String.format("\\u{%x}", c)));
        return b.append('"').toString();
    }
}
