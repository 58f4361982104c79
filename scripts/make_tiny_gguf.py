#!/usr/bin/env python3
"""Writes a tiny random-weight llama GGUF for codomyrmex's provider tests.

The model is nonsense by design: it exists so a real llama.cpp server (xllamacpp) can answer
OpenAI- and Anthropic-format requests in milliseconds, deterministically at temperature 0.

Shape: llama architecture, embedding 64, 2 layers, 4 heads, FFN 128, F32 weights (~0.6 MB).
Vocabulary: SentencePiece-style (`llama` tokenizer model) with unk/bos/eos, the ChatML control
tokens, all 256 `<0xNN>` byte-fallback tokens (without them a non-ASCII prompt makes the server
fail), printable ASCII, and a few `▁word` pieces with every prefix present so merges work.

Rigging: residual dimension 0 is held constant (every token embedding has 1.0 there and no layer
writes to it), byte and control tokens get a large negative output weight on that dimension, so
the model only ever emits printable ASCII pieces. The EOS token's logit is fixed by its weight on
the same dimension (`--eos-logit`): 0 never stops (`finish_reason: length`), about 8 stops at once.

Usage: make_tiny_gguf.py OUT.gguf [--seed N] [--eos-logit X]
"""

import argparse
import sys

import numpy as np

import gguf

N_EMBD = 64
N_LAYER = 2
N_HEAD = 4
N_FF = 128
N_CTX = 2048

WORDS = [
    "the", "a", "is", "to", "of", "and", "in", "it", "def", "fn", "return", "let", "if",
    "else", "for", "while", "class", "self", "import", "from", "print", "true", "false",
    "none", "code", "test", "value", "name", "data", "result", "error", "function",
]

CHATML = (
    "{% for message in messages %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def vocabulary():
    """Returns (tokens, scores, types, eos_id)."""
    normal = gguf.TokenType.NORMAL
    control = gguf.TokenType.CONTROL
    tokens = [("<unk>", 0.0, gguf.TokenType.UNKNOWN), ("<s>", 0.0, control), ("</s>", 0.0, control),
              ("<|im_start|>", 0.0, control), ("<|im_end|>", 0.0, control)]
    for b in range(256):
        tokens.append((f"<0x{b:02X}>", 0.0, gguf.TokenType.BYTE))
    seen = {t[0] for t in tokens}

    def add(piece):
        if piece not in seen:
            seen.add(piece)
            # Longer pieces score higher, so the SentencePiece merge prefers them.
            tokens.append((piece, float(len(piece)), normal))

    add("\u2581")
    for c in range(33, 127):
        add(chr(c))
    for word in WORDS:
        piece = "\u2581" + word
        for end in range(2, len(piece) + 1):
            add(piece[:end])
        for end in range(2, len(word) + 1):
            add(word[:end])
    eos_id = 4
    return tokens, eos_id


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--eos-logit", type=float, default=0.0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    tokens, eos_id = vocabulary()
    n_vocab = len(tokens)

    def rand(*shape, scale=0.2):
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    writer = gguf.GGUFWriter(args.out, "llama")
    writer.add_name("codomyrmex-tiny-random")
    writer.add_context_length(N_CTX)
    writer.add_embedding_length(N_EMBD)
    writer.add_block_count(N_LAYER)
    writer.add_feed_forward_length(N_FF)
    writer.add_head_count(N_HEAD)
    writer.add_head_count_kv(N_HEAD)
    writer.add_rope_dimension_count(N_EMBD // N_HEAD)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_file_type(gguf.LlamaFileType.ALL_F32)

    writer.add_tokenizer_model("llama")
    writer.add_token_list([t[0] for t in tokens])
    writer.add_token_scores([t[1] for t in tokens])
    writer.add_token_types([int(t[2]) for t in tokens])
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(eos_id)
    writer.add_add_bos_token(True)
    writer.add_add_eos_token(False)
    writer.add_chat_template(CHATML)

    # Token embeddings: dimension 0 is the constant "bias" dimension.
    embd = rand(n_vocab, N_EMBD, scale=0.5)
    embd[:, 0] = 1.0
    writer.add_tensor("token_embd.weight", embd)
    writer.add_tensor("output_norm.weight", np.ones(N_EMBD, dtype=np.float32))

    output = rand(n_vocab, N_EMBD, scale=0.5)
    output[:, 0] = 0.0
    for i, (_, _, kind) in enumerate(tokens):
        if kind != gguf.TokenType.NORMAL:
            output[i, :] = 0.0
            output[i, 0] = -50.0
    # RMS-normed dimension 0 is about 1 (the residual stays near unit scale), so this weight is
    # roughly the EOS logit.
    output[eos_id, :] = 0.0
    output[eos_id, 0] = args.eos_logit
    writer.add_tensor("output.weight", output)

    for layer in range(N_LAYER):
        prefix = f"blk.{layer}"
        writer.add_tensor(f"{prefix}.attn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(f"{prefix}.attn_q.weight", rand(N_EMBD, N_EMBD))
        writer.add_tensor(f"{prefix}.attn_k.weight", rand(N_EMBD, N_EMBD))
        writer.add_tensor(f"{prefix}.attn_v.weight", rand(N_EMBD, N_EMBD))
        attn_out = rand(N_EMBD, N_EMBD, scale=0.1)
        attn_out[0, :] = 0.0  # never write to the constant dimension
        writer.add_tensor(f"{prefix}.attn_output.weight", attn_out)
        writer.add_tensor(f"{prefix}.ffn_norm.weight", np.ones(N_EMBD, dtype=np.float32))
        writer.add_tensor(f"{prefix}.ffn_gate.weight", rand(N_FF, N_EMBD))
        writer.add_tensor(f"{prefix}.ffn_up.weight", rand(N_FF, N_EMBD))
        down = rand(N_EMBD, N_FF, scale=0.1)
        down[0, :] = 0.0
        writer.add_tensor(f"{prefix}.ffn_down.weight", down)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {args.out}: vocab {n_vocab}, eos {eos_id}, eos logit {args.eos_logit}", file=sys.stderr)


if __name__ == "__main__":
    main()
