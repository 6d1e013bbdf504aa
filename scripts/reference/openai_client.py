"""The official `openai` Python client as a client of `jlm serve`: no jlm code involved.

  python3 openai_client.py URL MODEL PROMPT  -> one JSON line: a greedy completion (text, finish_reason, usage), the same
                                                 request streamed (the texts of its chunks), and two refused requests (the
                                                 exception class the client raised and its status code)
"""
import json, sys
import openai

def refused(call):
    try:
        call()
    except openai.APIStatusError as e:
        return {"class": type(e).__name__, "status": e.status_code, "body": e.body}
    return {"class": None}

def main(url, model, prompt):
    client = openai.OpenAI(base_url=url + "/v1", api_key="none", max_retries=0, timeout=60)
    whole = client.completions.create(model=model, prompt=prompt, max_tokens=12, temperature=0)
    chunks = [c.choices[0].text for c in client.completions.create(model=model, prompt=prompt, max_tokens=12, temperature=0, stream=True)
              if c.choices]
    models = [m.id for m in client.models.list()]
    print(json.dumps({
        "openai": openai.__version__,
        "models": models,
        "text": whole.choices[0].text,
        "finish_reason": whole.choices[0].finish_reason,
        "object": whole.object,
        "usage": {"prompt_tokens": whole.usage.prompt_tokens, "completion_tokens": whole.usage.completion_tokens,
                  "total_tokens": whole.usage.total_tokens},
        "chunks": chunks,
        "bad_temperature": refused(lambda: client.completions.create(model=model, prompt=prompt, max_tokens=4, temperature=7)),
        "chat": refused(lambda: client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])),
        "other_model": refused(lambda: client.completions.create(model="no-such-model", prompt=prompt, max_tokens=4)),
    }))

if __name__ == "__main__":
    main(*sys.argv[1:4])
