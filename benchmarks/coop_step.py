"""Seconds per CoOp training step (batch 32, M=16) on CPU: our loop, a reference-style loop and the unique-token floor.

Three text sides, each a forward + backward into the context from the same image features and labels:
  reference  CoOp/Dassl: every class prompt at the full context (77 tokens) through the text tower, then SGD.
  ours       `Trainer.step` of `CoOp`: prompts truncated to the longest real prompt, [SOS][ctx] encoded once.
  floor      the unique token rows only, by hand from open_clip's blocks (no learner): the [SOS][ctx] prefix once and
             each class's own suffix attending to the prefix's keys and values, cut at the longest real prompt.
With fresh augmentation (Dassl's, our default) every step of ours and of the reference also encodes its batch of
augmented images with the frozen image tower under `torch.inference_mode` (random pixels: the crop itself is data
loading, left out of both). Each step is timed in its two parts, so the ratios are printed for the text side alone
(the cost with cached views, `n_views=V`) and with the image cost in both (which caps the reference's lead at
1 + its text time / the image time, however fast our text side is).

Each class count runs in its own process, the loops round robin in it (median of `--steps` after one warm-up each,
one step above 100 classes). Memory is what each loop keeps for its backward (the distinct storages autograd saves,
frozen weights left out), measured in the warm-up step. The reference keeps n_cls x 77 tokens of 12 layers (1.8 GB
at 100 classes, so some 18 GB at 1000, with the step's temporaries on top: more than a 24 GB machine spares), so by
default it runs up to 100 classes (`--reference-max`). Backbone: open_clip ViT-B-16 with random weights (timing
only). The last line printed is JSON.

usage: python benchmarks/coop_step.py [--classes 10 100 1000] [--steps 3] [--threads 2] [--reference-max 100]
                                      [--backbone ViT-B-16] [--batch 32]
"""
import argparse, contextlib, json, resource, statistics, subprocess, sys, time
import torch, torch.nn.functional as F

@contextlib.contextmanager
def saved_bytes(exclude=()):
    "Yield a dict storage -> bytes, filled with what autograd saves for backward in the block (`exclude`: tensors)"
    skip, seen = {t.untyped_storage().data_ptr() for t in exclude}, {}
    def pack(t):
        s = t.untyped_storage()
        if s.data_ptr() not in skip: seen[s.data_ptr()] = s.nbytes()
        return t
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t): yield seen

def floor_step(model, tokens, n_ctx):
    "A closure (ctx, image features, labels) -> loss: the text tower's forward + backward over the unique token rows"
    P, L = 1 + n_ctx, int(tokens.argmax(-1).max()) + 1
    n, S, pos = len(tokens), L - P, model.positional_embedding
    with torch.no_grad():
        sos = model.token_embedding(tokens[:1, :1]) + pos[:1]                         # [1, 1, D]
        suffix = model.token_embedding(tokens[:, P:L]) + pos[P:L]                     # [n, S, D]
    eot = tokens[:, :L].argmax(-1) - P
    mask = torch.ones(S, P + S, dtype=torch.bool).tril(P)           # a suffix token sees the prefix, then causally
    def qkv(blk, x):
        a = blk.attn
        parts = F.linear(blk.ln_1(x), a.in_proj_weight, a.in_proj_bias).chunk(3, -1)
        return [t.unflatten(-1, (a.num_heads, -1)).transpose(1, 2) for t in parts]   # [N, H, L, d]
    def rest(blk, x, o):
        x = x + blk.ls_1(blk.attn.out_proj(o.transpose(1, 2).flatten(2)))
        return x + blk.ls_2(blk.mlp(blk.ln_2(x)))
    share = lambda p, s: torch.cat([p.expand(n, -1, -1, -1), s], 2)                # prefix keys/values, then the row's
    def step(ctx, f, y):
        pre, suf = torch.cat([sos, ctx[None] + pos[1:P]], 1), suffix
        for blk in model.transformer.resblocks:
            (qp, kp, vp), (qs, ks, vs) = qkv(blk, pre), qkv(blk, suf)
            o = F.scaled_dot_product_attention(qs, share(kp, ks), share(vp, vs), attn_mask=mask)
            pre, suf = rest(blk, pre, F.scaled_dot_product_attention(qp, kp, vp, is_causal=True)), rest(blk, suf, o)
        t = F.normalize(model.ln_final(suf[torch.arange(n), eot]) @ model.text_projection, dim=-1)
        loss = F.cross_entropy(model.logit_scale.exp() * f @ t.T, y)
        loss.backward()
        return loss.item()
    return step

def child(n_cls, steps, threads, backbone, batch, reference):
    "Time the loops for `n_cls` classes in this process; print one JSON line"
    from metaprompt_nb.backbone import load_clip
    from metaprompt_nb.learners.coop import CoOp
    from metaprompt_nb.text_encoder import class_prompt_tokens, encode_text_embeds, place_prompt
    from metaprompt_nb.training import Trainer
    torch.set_num_threads(threads); torch.set_flush_denormal(True); torch.manual_seed(0)
    bb = load_clip(backbone); m = bb.model
    size = m.visual.preprocess_cfg['size']; size = size if isinstance(size, int) else size[0]
    names = [f'class number {i}' for i in range(n_cls)]       # 3-5 tokens per name, like most benchmark class names
    coop = CoOp(m, bb.tokenizer, names, n_ctx=16)
    tok = class_prompt_tokens(bb.tokenizer, names, coop.prompt_prefix)                    # full context
    with torch.no_grad(): emb = m.token_embedding(tok)
    y = torch.randint(n_cls, (batch,))
    tr = Trainer(bb, coop, [None], epochs=1, progress=False); tr.prepare(data=False)
    ref_ctx, floor_ctx = (torch.nn.Parameter(coop.ctx.detach().clone()) for _ in range(2))
    opt = torch.optim.SGD([ref_ctx], lr=2e-3, momentum=0.9, weight_decay=5e-4)
    def ref_text(f):
        txt = encode_text_embeds(m, place_prompt(emb, ref_ctx, 1), tok, normalize=True)
        loss = F.cross_entropy(m.logit_scale.exp() * f @ txt.T, y)
        opt.zero_grad(); loss.backward(); opt.step()
        return loss.item()
    floor = floor_step(m, tok, coop.n_ctx)
    def images():
        with torch.inference_mode(): f = F.normalize(m.encode_image(torch.randn(batch, 3, size, size)), dim=-1)
        return f.clone()                                          # an ordinary tensor, as cached features are
    f0 = images()
    loops = dict(floor=(None, lambda f: floor(floor_ctx, f, y)), ours=(images, lambda f: tr.step(f, y)[0]),
                 **(dict(reference=(images, ref_text)) if reference else {}))
    times, saved, first = {k: [] for k in loops}, {}, {}
    for it in range(steps + 1):
        for k, (img, text) in loops.items():
            t0 = time.perf_counter(); f = img() if img else f0; t1 = time.perf_counter()
            if it: text(f); times[k].append((t1 - t0, time.perf_counter() - t1)); continue
            with saved_bytes([*m.parameters(), *m.buffers()]) as s: first[k] = text(f0)   # one input: equal losses
            saved[k] = sum(s.values()) / 2**20
    text_secs = {k: statistics.median(t[1] for t in v) for k, v in times.items()}
    print(json.dumps(dict(n_cls=n_cls, length=int(tok.argmax(-1).max()) + 1,
                          image_secs=statistics.median(t[0] for k in loops if k != 'floor' for t in times[k]),
                          loss_diff={k: abs(v - first['ours']) for k, v in first.items() if k != 'ours'},
                          max_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                          **{k: dict(text_secs=text_secs[k], saved_mb=saved[k]) for k in loops})))

def ratios(r) -> dict:
    "The ratios of one class count: the text side alone, and the reference's with the image encoding in both"
    img, ours = r['image_secs'], r['ours']['text_secs']
    out = dict(ours_vs_floor_text=ours / r['floor']['text_secs'])
    if 'reference' in r:
        ref = r['reference']['text_secs']
        out.update(reference_vs_ours_text=ref / ours, reference_vs_ours_with_images=(ref + img) / (ours + img))
    return out

def report(r) -> str:
    "Two lines on one class count"
    q, loop = r['ratios'], lambda k: f"{k} {r[k]['text_secs']:.3f} s, {r[k]['saved_mb']:.0f} MB"
    ref = (f"{loop('reference')} (x{q['reference_vs_ours_text']:.1f} ours)" if 'reference' in r else
           'reference not run (memory)')
    img = f"; reference x{q['reference_vs_ours_with_images']:.2f} ours" if 'reference' in r else ''
    return (f"{r['n_cls']:5d} classes, L={r['length']} | text: {loop('floor')} | {loop('ours')} "
            f"(x{q['ours_vs_floor_text']:.2f} floor) | {ref}\n"
            f"{'':5s} with fresh images (+{r['image_secs']:.3f} s a step in ours and the reference){img}; "
            f"max RSS {r['max_rss_mb']:.0f} MB")

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--classes', type=int, nargs='+', default=[10, 100, 1000])
    ap.add_argument('--steps', type=int, default=3, help='timed steps after a warm-up (median); 1 above 100 classes')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--reference-max', type=int, default=100, help='largest class count for the reference loop')
    ap.add_argument('--backbone', default='ViT-B-16', help="open_clip name (random weights) or packaged ('tiny-world')")
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--child', type=int, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child: return child(a.child, a.steps, a.threads, a.backbone, a.batch, a.child <= a.reference_max)
    print(f"{a.backbone}, batch {a.batch}, {a.threads} thread(s)", flush=True)
    rows = []
    for n in a.classes:
        args = ['--child', str(n), '--steps', str(a.steps if n <= 100 else 1), '--threads', str(a.threads),
                '--reference-max', str(a.reference_max), '--backbone', a.backbone, '--batch', str(a.batch)]
        out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
        if out.returncode: sys.exit(f"{n} classes failed:\n{out.stderr}")
        r = json.loads(out.stdout.strip().splitlines()[-1]); r['ratios'] = ratios(r); rows.append(r)
        print(report(r), flush=True)
    print(json.dumps(dict(backbone=a.backbone, batch=a.batch, threads=a.threads, rows=rows)))

if __name__ == '__main__': main()
