"""lm-evaluation-harness as a client of `jlm serve`: its `local-completions` model scores a multiple-choice task. No jlm
code involved.

  python3 lm_eval_client.py URL MODEL TOKENIZER TASK_DIR TASK MAX_LENGTH
      -> one JSON line: lm_eval's version, the task's acc, and for each sample (--log_samples' records) the doc id, the
         label, the (context, continuation) pairs lm_eval scored and the loglikelihood it read from the server for each

It calls lm_eval.simple_evaluate, the function the `lm_eval` command runs, with the command's arguments
(--model local-completions --model_args ... --tasks TASK --include_path TASK_DIR --log_samples): the command itself
ends by printing a table with pytablewriter, which pip's index here does not have. TOKENIZER is a folder
transformers' AutoTokenizer loads (jlm's tokenizer.json): lm_eval tokenizes, sends token ids (echo, logprobs 1,
max_tokens 1), and sums the continuation's token_logprobs. Datasets and the hub stay offline.
"""
import json, os, sys

os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

import lm_eval
from lm_eval.tasks import TaskManager


def main(url, model, tokenizer, task_dir, task, max_length):
    model_args = (f"base_url={url}/v1/completions,model={model},tokenizer_backend=huggingface,tokenizer={tokenizer},"
                  f"max_length={max_length},num_concurrent=1,max_retries=1,timeout=60")
    out = lm_eval.simple_evaluate(model="local-completions", model_args=model_args, tasks=[task],
                                  task_manager=TaskManager(include_path=task_dir), log_samples=True, batch_size=1)
    samples = []
    for s in sorted(out["samples"][task], key=lambda s: s["doc_id"]):
        samples.append({
            "doc_id": s["doc_id"],
            "target": s["target"],
            "arguments": [[a[0], a[1]] for a in s["arguments"]],
            "loglikelihoods": [r[0][0] for r in s["resps"]],   # resps: per choice, [(loglikelihood, is_greedy)]
        })
    print(json.dumps({"lm_eval": lm_eval.__version__ if hasattr(lm_eval, "__version__") else None,
                      "acc": out["results"][task]["acc,none"], "samples": samples}))


if __name__ == "__main__":
    main(*sys.argv[1:7])
