#!/usr/bin/env python3
"""PyTorch reference for peftlab's speed benchmarks.

Trains one adapter (LoRA, prompt or prefix) on a frozen Llama-architecture model
built from an HF config.json, with random weights (speed does not depend on them),
and prints one JSON line with the measured throughput.

Run by `npm run bench` with each PyTorch it finds (tools/bench/torch/runtimes.ts): Debian's
python3-torch (1.13, OpenBLAS) and the current wheel from PyPI (2.x, oneDNN/MKL), e.g.
    python3 reference.py --config path/to/config.json --method lora \
          --batch 4 --seq 256 --steps 5 --threads 2 [--autocast bf16]
Moved here from ../shared/bench/torch_reference.py so that a clone benchmarks without ../shared;
--autocast bf16 (torch.autocast on the CPU, PyTorch 2.x on CPUs with AVX512-BF16) is new.

Shapes follow HF LlamaForCausalLM: RMSNorm, rotate-half RoPE, grouped-query attention,
SwiGLU MLP. LoRA: W x + (alpha/r) B A x on the target projections, A ~ N(0, 1/r), B = 0.
Prompt tuning: n virtual token embeddings prepended. Prefix tuning: per layer, n
trainable key and value vectors (kv_dim each) prepended to every head group.
"""
import argparse
import json
import math
import time

import torch


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, cos, sin):
    half = x.shape[-1] // 2
    rot = torch.cat([-x[..., half:], x[..., :half]], -1)
    return x * cos + rot * sin


class Model:
    def __init__(self, cfg, method, r, alpha, n_virtual, targets, dtype):
        g = torch.Generator().manual_seed(0)
        d, f, v = cfg["hidden_size"], cfg["intermediate_size"], cfg["vocab_size"]
        self.h = cfg["num_attention_heads"]
        self.kvh = cfg.get("num_key_value_heads", self.h)
        self.hd = d // self.h
        self.eps = cfg.get("rms_norm_eps", 1e-6)
        self.theta = cfg.get("rope_theta", 10000.0)
        kv = self.kvh * self.hd
        rnd = lambda *s: (torch.randn(*s, generator=g) * 0.02).to(dtype)
        self.emb = rnd(v, d)
        self.head = self.emb if cfg.get("tie_word_embeddings", False) else rnd(v, d)
        self.norm = torch.ones(d, dtype=dtype)
        self.layers = []
        for _ in range(cfg["num_hidden_layers"]):
            self.layers.append(dict(
                ln1=torch.ones(d, dtype=dtype), ln2=torch.ones(d, dtype=dtype),
                q_proj=rnd(d, d), k_proj=rnd(kv, d), v_proj=rnd(kv, d), o_proj=rnd(d, d),
                gate_proj=rnd(f, d), up_proj=rnd(f, d), down_proj=rnd(d, f)))
        self.method, self.scale, self.n = method, alpha / r, n_virtual
        self.params = []
        if method == "lora":
            self.lora = []
            for layer in self.layers:
                ad = {}
                for t in targets:
                    out_f, in_f = layer[t].shape
                    a = (torch.randn(r, in_f, generator=g) / math.sqrt(r)).to(dtype).requires_grad_()
                    b = torch.zeros(out_f, r, dtype=dtype, requires_grad=True)
                    ad[t] = (a, b)
                    self.params += [a, b]
                self.lora.append(ad)
        elif method == "prompt":
            self.soft = rnd(n_virtual, d).requires_grad_()
            self.params = [self.soft]
        elif method == "prefix":
            self.pk = [rnd(n_virtual, kv).requires_grad_() for _ in self.layers]
            self.pv = [rnd(n_virtual, kv).requires_grad_() for _ in self.layers]
            self.params = self.pk + self.pv

    def linear(self, i, name, x):
        y = x @ self.layers[i][name].t()
        if self.method == "lora" and name in self.lora[i]:
            a, b = self.lora[i][name]
            y = y + (x @ a.t()) @ b.t() * self.scale
        return y

    def forward(self, ids):
        bsz, t = ids.shape
        x = self.emb[ids]
        if self.method == "prompt":
            x = torch.cat([self.soft.unsqueeze(0).expand(bsz, -1, -1), x], 1)
        tq = x.shape[1]
        past = self.n if self.method == "prefix" else 0
        pos = torch.arange(past, past + tq, dtype=torch.float32)
        inv = 1.0 / (self.theta ** (torch.arange(0, self.hd, 2, dtype=torch.float32) / self.hd))
        fr = torch.outer(pos, inv)
        emb = torch.cat([fr, fr], -1)
        cos, sin = emb.cos().to(x.dtype), emb.sin().to(x.dtype)
        tk = past + tq
        mask = torch.full((tq, tk), float("-inf")).triu(past + 1).to(x.dtype)
        rep = self.h // self.kvh
        for i, layer in enumerate(self.layers):
            hN = rms_norm(x, layer["ln1"], self.eps)
            q = self.linear(i, "q_proj", hN).view(bsz, tq, self.h, self.hd).transpose(1, 2)
            k = self.linear(i, "k_proj", hN).view(bsz, tq, self.kvh, self.hd).transpose(1, 2)
            v = self.linear(i, "v_proj", hN).view(bsz, tq, self.kvh, self.hd).transpose(1, 2)
            q, k = rope(q, cos, sin), rope(k, cos, sin)
            if self.method == "prefix":
                pk = self.pk[i].view(self.n, self.kvh, self.hd).transpose(0, 1).unsqueeze(0).expand(bsz, -1, -1, -1)
                pv = self.pv[i].view(self.n, self.kvh, self.hd).transpose(0, 1).unsqueeze(0).expand(bsz, -1, -1, -1)
                k, v = torch.cat([pk, k], 2), torch.cat([pv, v], 2)
            k = k.repeat_interleave(rep, 1)
            v = v.repeat_interleave(rep, 1)
            att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(self.hd) + mask, -1)
            o = (att @ v).transpose(1, 2).reshape(bsz, tq, -1)
            x = x + self.linear(i, "o_proj", o)
            hN = rms_norm(x, layer["ln2"], self.eps)
            m = torch.nn.functional.silu(self.linear(i, "gate_proj", hN)) * self.linear(i, "up_proj", hN)
            x = x + self.linear(i, "down_proj", m)
        x = rms_norm(x, self.norm, self.eps)
        return x[:, -t:] @ self.head.t()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--method", choices=["lora", "prompt", "prefix", "none"], default="lora")
    ap.add_argument("--r", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=16)
    ap.add_argument("--targets", default="q_proj,k_proj,v_proj")
    ap.add_argument("--virtual", type=int, default=20)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--mode", choices=["train", "forward"], default="train")
    ap.add_argument("--autocast", choices=["none", "bf16"], default="none")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    cfg = json.load(open(args.config))
    model = Model(cfg, args.method, args.r, args.alpha, args.virtual, args.targets.split(","), torch.float32)
    g = torch.Generator().manual_seed(1)
    ids = torch.randint(0, cfg["vocab_size"], (args.batch, args.seq), generator=g)
    opt = torch.optim.AdamW(model.params, lr=1e-4) if model.params else None

    def step():
        if args.autocast == "bf16":
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return plain_step()
        return plain_step()

    def plain_step():
        if args.mode == "forward" or opt is None:
            with torch.no_grad():
                return model.forward(ids).sum().item()
        opt.zero_grad()
        logits = model.forward(ids)
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), ids[:, 1:].reshape(-1))
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        step()
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    dt = (time.perf_counter() - t0) / args.steps
    print(json.dumps({
        "impl": f"torch-{torch.__version__}", "autocast": args.autocast, "mode": args.mode, "method": args.method,
        "batch": args.batch, "seq": args.seq, "threads": args.threads,
        "step_ms": round(dt * 1000, 2), "tokens_per_s": round(args.batch * args.seq / dt, 1),
        "trainable_params": sum(p.numel() for p in model.params),
    }))


if __name__ == "__main__":
    main()
