package dev.jlm.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlm.nn.ModelConfig;
import dev.jlm.nn.TransformerLm;
import dev.jlm.tensor.DType;
import dev.jlm.tensor.Device;
import dev.jlm.tensor.Tensor;
import dev.jlm.tensor.TensorScope;
import dev.jlm.tensor.Torch;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class BatchDecoderTest {
    static final ModelConfig C = ModelConfig.builder().vocabSize(64).contextLength(24).dModel(32).numLayers(2).numHeads(4).build();

    /** One request: prompt, max tokens, sampler, seed, and the id it stops at (−1: none). */
    record Ask(int[] prompt, int max, Sampler sampler, long seed, int stopAt) {
        IntPredicate onToken() {
            return id -> id != stopAt;
        }
    }

    static final List<Ask> ASKS = List.of(
            new Ask(new int[] {3, 14, 15, 9, 26}, 12, new Sampler.Greedy(), 0, -1),
            new Ask(new int[] {1}, 20, Sampler.of(1.0, 1.0), 42, -1),
            new Ask(new int[] {5, 35, 8, 9, 7, 9, 3, 2, 3, 8, 4}, 9, Sampler.of(0.7, 0.9), 7, -1),
            new Ask(new int[] {2, 7, 1, 8}, 15, Sampler.of(1.3, 0.5), 42, 25),
            new Ask(new int[] {6, 6, 6}, 1, new Sampler.Greedy(), 3, -1),
            new Ask(new int[] {11, 12, 13, 14, 15, 16, 17}, 10, Sampler.of(1.0, 0.95), 99, -1),
            new Ask(new int[] {40, 41}, 0, new Sampler.Greedy(), 0, -1));

    /**
     * Seven requests (prompts of 1 to 11 tokens, greedy and top-p at several temperatures, seeds, one with a stop id, max
     * tokens 0 and 1) through 3 rows, admitted as rows free up, several joining mid-way: each makes exactly the ids the
     * Generator makes for it alone.
     */
    @Test
    void batchedDecodingMakesWhatEachRequestMakesAlone() {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(21);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32, dev.jlm.nn.Kernels.FUSED);
            List<int[]> alone = new ArrayList<>();
            Generator solo = new Generator(m, true);
            for (Ask a : ASKS) alone.add(solo.generate(a.prompt(), a.max(), a.sampler(), a.seed(), a.onToken()));
            assertTrue(alone.get(3).length < 15 && alone.get(3)[alone.get(3).length - 1] == 25, "the stop id is reached: " + java.util.Arrays.toString(alone.get(3)));

            BatchDecoder batch = new BatchDecoder(m, 3);
            Map<BatchDecoder.Sequence, Integer> which = new IdentityHashMap<>();
            int[][] made = new int[ASKS.size()][];
            int next = 0, steps = 0, widest = 0;
            long live = Tensor.liveHandles();
            while (next < ASKS.size() || batch.active() > 0) {
                if (next < ASKS.size() && batch.hasFreeRow() && (steps % 2 == 0 || batch.active() == 0)) {   // join every other step
                    Ask a = ASKS.get(next);
                    BatchDecoder.Sequence s = batch.admit(a.prompt(), a.max(), a.sampler(), a.seed(), a.onToken());
                    if (s.ended()) made[next] = s.tokens();
                    else which.put(s, next);
                    next++;
                }
                widest = Math.max(widest, batch.active());
                for (BatchDecoder.Sequence s : batch.step()) {
                    assertNull(s.failure());
                    made[which.get(s)] = s.tokens();
                }
                steps++;
            }
            assertEquals(live, Tensor.liveHandles(), "steps free what they make");
            assertEquals(3, widest, "all rows decoded together at some step");
            for (int i = 0; i < ASKS.size(); i++) assertArrayEquals(alone.get(i), made[i], "request " + i);
        }
    }

    /** An onToken that throws ends its own sequence, failed, and frees its row; the others decode on. */
    @Test
    void aFailingSequenceLeavesTheOthersDecoding() {
        try (var run = TensorScope.open()) {
            Torch.manualSeed(22);
            TransformerLm m = new TransformerLm(C, Device.CPU, DType.FLOAT32);
            int[] prompt = {4, 5, 6};
            int[] alone = new Generator(m, true).generate(prompt, 8, new Sampler.Greedy(), 0, id -> true);
            BatchDecoder batch = new BatchDecoder(m, 2);
            RuntimeException boom = new RuntimeException("client left");
            int[] calls = {0};
            BatchDecoder.Sequence bad = batch.admit(new int[] {1, 2}, 8, new Sampler.Greedy(), 0, id -> {
                if (++calls[0] == 3) throw boom;
                return true;
            });
            BatchDecoder.Sequence good = batch.admit(prompt, 8, new Sampler.Greedy(), 0, id -> true);
            List<BatchDecoder.Sequence> ended = new ArrayList<>();
            while (batch.active() > 0) ended.addAll(batch.step());
            assertSame(boom, bad.failure());
            assertEquals(3, bad.tokens().length);
            assertNull(good.failure());
            assertArrayEquals(alone, good.tokens());
            assertEquals(List.of(bad, good), ended);
        }
    }
}
