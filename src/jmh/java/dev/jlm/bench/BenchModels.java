package dev.jlm.bench;

import dev.jlm.nn.ModelConfig;

/** The benchmarks' models by name, as scripts/reference/model_ref.py's BENCH_MODELS names them for the Python peers. */
final class BenchModels {
    private BenchModels() {}

    static ModelConfig of(String name) {
        return switch (name) {
            case "tinystories" -> ModelConfig.TINY_STORIES;                                       // CS336's TinyStories model
            case "demo" -> ModelConfig.builder().vocabSize(4096).contextLength(128).dModel(128).numLayers(4).numHeads(4).dFf(384).build();
            case "gpt2-small" -> ModelConfig.builder().vocabSize(50257).contextLength(1024).dModel(768).numLayers(12).numHeads(12)
                    .dFf(2048).build();                                                          // GPT-2 small's shape, SwiGLU
            default -> throw new IllegalArgumentException("model: tinystories, demo or gpt2-small, not " + name);
        };
    }
}
