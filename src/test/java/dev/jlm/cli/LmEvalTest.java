package dev.jlm.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.jlm.checkpoint.Checkpoint;
import dev.jlm.checkpoint.ModelFiles;
import dev.jlm.nn.Kernels;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.NoGrad;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import dev.jlm.testing.ServeChild;
import dev.jlm.testing.TorchPython;
import dev.jlm.tokenizer.Tokenizer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * lm-evaluation-harness (pip's lm-eval 0.4.13, its `local-completions` model) scores a multiple-choice task against
 * `jlm serve --port 0` in a child JVM: the true end of a TinyStories sentence against two shuffles of its words, from
 * the bundled data, written here as a task YAML and a local JSON dataset. The model: 60 steps on the data's first
 * 300 kB (vocab 400, context 64). Oracles, for every (context, choice) lm-eval scored (its --log_samples records):
 * the sum of the server's echoed token_logprobs over the continuation on the same token ids, and jlm's model run
 * through the Java API (one forward, log-softmax in doubles here) — equal to 1e-4; lm-eval's acc is the share of
 * documents whose label has the largest of those sums.
 */
@Timeout(300)
class LmEvalTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final Path ROOT = Path.of(System.getProperty("jlm.root", "."));
    static final String TASK = "jlm_tinystories_mc", MODEL = "tiny";
    static final int CONTEXT = 64;

    record Doc(String context, List<String> choices, int label) {}

    @Test
    void lmEvalLoglikelihoodsEqualTheServersEchoedLogprobsAndTheModels(@TempDir Path dir) throws Exception {
        TorchPython.requireModule("lm_eval");
        Path text = dir.resolve("stories.txt");
        Files.writeString(text, head(Files.readString(ROOT.resolve("data/TinyStories-train_head-2MiB.txt")), 300_000));
        Path tok = dir.resolve("tok"), data = dir.resolve("train.bin"), ckpt = dir.resolve("run/last.safetensors");
        assertEquals(0, CliTrainTest.run("bpe", "train", "--input", text.toString(), "--vocab-size", "400", "--special-token", "<|endoftext|>",
                "--out", tok.toString()).code());
        assertEquals(0, CliTrainTest.run("tokenize", "--tokenizer", tok.toString(), "--input", text.toString(), "--out", data.toString()).code());
        var run = CliTrainTest.run("train", "--train", data.toString(), "--valid", data.toString(), "--out", dir.resolve("run").toString(),
                "--vocab-size", "400", "--context-length", Integer.toString(CONTEXT), "--d-model", "32", "--num-layers", "1", "--num-heads", "2",
                "--d-ff", "64", "--batch-size", "8", "--steps", "60", "--lr-max", "3e-3", "--device", "cpu", "--threads", "1");
        assertEquals(0, run.code(), run.err());

        List<Doc> docs = documents(Files.readString(text), 8);
        Path taskDir = writeTask(dir.resolve("task"), docs);
        JsonNode result;
        try (var server = ServeChild.start(List.of("--checkpoint", ckpt.toString(), "--tokenizer", tok.toString(), "--model-name", MODEL,
                "--threads", "1"), dir.resolve("serve.err")); var scope = TensorScope.open()) {
            result = lmEval(dir, server.url(), tok, taskDir);
            Tokenizer tokenizer = Tokenizer.load(tok, List.of());
            TransformerLm model = Checkpoint.load(ModelFiles.resolve(ckpt, Map.of()), Device.CPU, DType.FLOAT32, Kernels.Choice.AUTO.kernels());
            JsonNode samples = result.get("samples");
            assertEquals(docs.size(), samples.size(), result.toString());
            int right = 0;
            double worstServed = 0, worstModel = 0;
            for (int d = 0; d < docs.size(); d++) {
                Doc doc = docs.get(d);
                JsonNode s = samples.get(d);
                assertEquals(d, s.get("doc_id").asInt());
                assertEquals(doc.label(), s.get("target").asInt());
                double[] ours = new double[doc.choices().size()];
                for (int c = 0; c < ours.length; c++) {
                    String continuation = " " + doc.choices().get(c);             // lm-eval's default target_delimiter
                    assertEquals(List.of(doc.context(), continuation), JSON.convertValue(s.at("/arguments/" + c), List.class));
                    // lm-eval's split: the whole text's ids, the context's count of them first (HF tokenizers on jlm's tokenizer.json)
                    int[] whole = tokenizer.encode(doc.context() + continuation);
                    int ctx = tokenizer.encode(doc.context()).length;
                    assertTrue(whole.length < CONTEXT && ctx > 1 && ctx < whole.length, doc + ": " + whole.length + " tokens, context " + ctx);
                    double lmEval = s.at("/loglikelihoods/" + c).asDouble();
                    double served = servedLogprob(server.url(), whole, ctx);
                    ours[c] = modelLogprob(model, whole, ctx);
                    worstServed = Math.max(worstServed, Math.abs(served - lmEval));
                    worstModel = Math.max(worstModel, Math.abs(ours[c] - lmEval));
                    assertEquals(served, lmEval, 1e-4, "doc " + d + " choice " + c + ": lm-eval vs the server's echoed logprobs");
                    assertEquals(ours[c], lmEval, 1e-4, "doc " + d + " choice " + c + ": lm-eval vs jlm's model");
                }
                int best = 0;
                for (int c = 1; c < ours.length; c++) if (ours[c] > ours[best]) best = c;
                if (best == doc.label()) right++;
            }
            assertEquals((double) right / docs.size(), result.get("acc").asDouble(), 1e-12, "lm-eval's acc");
            System.out.printf("lm-eval %s: acc %.3f on %d docs; |lm-eval − server| ≤ %.2g, |lm-eval − model| ≤ %.2g%n",
                    result.get("lm_eval").asText(), result.get("acc").asDouble(), docs.size(), worstServed, worstModel);
        }
    }

    /** The text up to the last line break within its first {@code chars} characters. */
    static String head(String text, int chars) {
        return text.substring(0, text.lastIndexOf('\n', chars) + 1);
    }

    /**
     * Up to {@code n} documents from the first sentences of 10-16 words: the first five words are the context, the rest
     * the true continuation; two seeded shuffles of its words are the other choices; the label moves through 0, 1, 2.
     */
    static List<Doc> documents(String text, int n) {
        Random rng = new Random(27);
        List<Doc> docs = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.strip().split("\\. ")[0].split(" ");
            if (line.contains("<|") || words.length < 10 || words.length > 16) continue;
            List<String> rest = Arrays.asList(Arrays.copyOfRange(words, 5, words.length));
            String truth = String.join(" ", rest);
            List<String> choices = new ArrayList<>();
            while (choices.size() < 2) {
                List<String> shuffled = new ArrayList<>(rest);
                Collections.shuffle(shuffled, rng);
                String s = String.join(" ", shuffled);
                if (!s.equals(truth) && !choices.contains(s)) choices.add(s);
            }
            int label = docs.size() % 3;
            choices.add(label, truth);
            docs.add(new Doc(String.join(" ", Arrays.copyOfRange(words, 0, 5)), choices, label));
            if (docs.size() == n) break;
        }
        return docs;
    }

    /** A task lm-eval reads with --include_path: multiple choice over a local JSON-lines dataset, metric acc. */
    static Path writeTask(Path dir, List<Doc> docs) throws Exception {
        Files.createDirectories(dir);
        Path data = dir.resolve("docs.jsonl");
        StringBuilder lines = new StringBuilder();
        for (Doc d : docs) lines.append(JSON.writeValueAsString(d)).append('\n');
        Files.writeString(data, lines);
        Files.writeString(dir.resolve(TASK + ".yaml"), """
                task: %s
                dataset_path: json
                dataset_kwargs:
                  data_files:
                    test: %s
                test_split: test
                output_type: multiple_choice
                doc_to_text: "{{context}}"
                doc_to_choice: choices
                doc_to_target: label
                metric_list:
                  - metric: acc
                    aggregation: mean
                    higher_is_better: true
                """.formatted(TASK, JSON.writeValueAsString(data.toString())));
        return dir;
    }

    /** scripts/reference/lm_eval_client.py: lm-eval's simple_evaluate with local-completions; its last stdout line. */
    static JsonNode lmEval(Path dir, String url, Path tok, Path taskDir) throws Exception {
        Path err = dir.resolve("lm_eval.err");
        ProcessBuilder pb = new ProcessBuilder(TorchPython.python(), ROOT.resolve("scripts/reference/lm_eval_client.py").toString(), url, MODEL,
                tok.toString(), taskDir.toString(), TASK, Integer.toString(CONTEXT)).directory(dir.toFile()).redirectError(err.toFile());
        pb.environment().put("HF_HOME", dir.resolve("hf").toString());          // datasets' cache, here and not in $HOME
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertTrue(p.waitFor(240, TimeUnit.SECONDS), "lm_eval_client.py did not finish in 240 s");
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, p.exitValue(), "lm_eval_client.py: " + out + Files.readString(err));
        return JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    }

    /** Σ token_logprobs[ctx..] the server echoes for the ids, scored alone (echo, logprobs 0, max_tokens 0). */
    static double servedLogprob(String url, int[] ids, int ctx) throws Exception {
        var r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url + "/v1/completions")).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"" + MODEL + "\", \"prompt\": "
                        + JSON.writeValueAsString(ids) + ", \"echo\": true, \"logprobs\": 0, \"max_tokens\": 0}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode lp = JSON.readTree(r.body()).at("/choices/0/logprobs/token_logprobs");
        assertEquals(ids.length, lp.size());
        double sum = 0;
        for (int i = ctx; i < ids.length; i++) sum += lp.get(i).asDouble();
        return sum;
    }

    /** Σ_{t ≥ ctx} log p(ids[t] | ids[..t]) from the model's logits (1, T, V), log-softmax taken here in doubles. */
    static double modelLogprob(TransformerLm model, int[] ids, int ctx) {
        try (var s = TensorScope.open(); var g = NoGrad.enter()) {
            long[] longs = Arrays.stream(ids).asLongStream().toArray();
            float[] logits = model.forward(Torch.fromArray(longs, 1, ids.length)).toFloatArray();
            int v = logits.length / ids.length;
            double sum = 0;
            for (int t = ctx; t < ids.length; t++) {
                int row = (t - 1) * v;
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int j = 0; j < v; j++) max = Math.max(max, logits[row + j]);
                for (int j = 0; j < v; j++) z += Math.exp(logits[row + j] - max);
                sum += logits[row + ids[t]] - max - Math.log(z);
            }
            return sum;
        }
    }
}
