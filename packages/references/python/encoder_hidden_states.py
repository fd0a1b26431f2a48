"""A BERT-style encoder's token ids, last hidden states and sentence embeddings as the Hugging Face
stack computes them, for peftlab's live checks on a real pretrained model (all-MiniLM-L6-v2): one
JSON request on stdin, one JSON answer on stdout.

request: {"dir": ..., "texts": [...]}
answer:  {"transformers", "torch", "tokenizers", "sentence_transformers": versions,
          "ids": [batch][time] (tokenizers' Tokenizer.from_file(dir/tokenizer.json), special tokens added,
                 without the file's fixed padding and truncation: peftlab pads and truncates batches itself),
          "hidden": [batch][time][hidden] (AutoModel in float32, eval mode, each text alone, unpadded),
          "sentence_embedding": [batch][hidden] (SentenceTransformer(dir).encode: its modules.json pipeline)}
"""
import json
import os
import sys

import sentence_transformers
import tokenizers
import torch
import transformers
from transformers import AutoModel


def main():
    request = json.load(sys.stdin)
    folder = request["dir"]
    tokenizer = tokenizers.Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    ids = [tokenizer.encode(text).ids for text in request["texts"]]
    model = AutoModel.from_pretrained(folder, dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        hidden = [model(input_ids=torch.tensor([row], dtype=torch.long)).last_hidden_state[0].tolist() for row in ids]
    sentences = sentence_transformers.SentenceTransformer(folder, device="cpu")
    embeddings = sentences.encode(request["texts"], convert_to_numpy=True)
    json.dump(
        {
            "transformers": transformers.__version__,
            "torch": torch.__version__,
            "tokenizers": tokenizers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
            "ids": ids,
            "hidden": hidden,
            "sentence_embedding": embeddings.tolist(),
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
