package dev.jlm.tokenizer;

/**
 * A tokenizer as read from its files: the BPE model (vocab, merges, special tokens) and the pipeline around it
 * (normalizer, pre-tokenizer, ignore_merges). GPT-2's vocab.json + merges.txt have {@link Pipeline#GPT2}.
 */
public record TokenizerSpec(BpeModel model, Pipeline pipeline) {}
