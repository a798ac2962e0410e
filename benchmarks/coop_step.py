"""Seconds per CoOp training step (batch 32) on CPU: our loop vs a faithful reference-style loop, same run.

Reference-style step (CoOp/Dassl): encode the 32 augmented images with the frozen ViT every step, run the text
encoder over every class prompt at the full 77-token context, one prompt per class, then backward into the context.
Our step in its cached-views mode (`n_views=V`): image features of augmented views cached once (`encode_views`, its
one-time cost printed separately; under the default fresh crops every step pays it for its 32 images),
prompts truncated to the longest real prompt, the shared [SOS][ctx] prefix encoded once for all classes.
Backbone: open_clip ViT-B-16 with random weights (timing only). Each configuration runs in its own process so the
peak memory (max RSS) is its own.

The reference loop keeps the activations of n_cls × 77 tokens through 12 text layers for the backward pass; at 1000
classes that is more than this 24 GB machine holds (13 GB and growing before its first backward), so by default it
is measured up to 100 classes and our loop alone above (`--reference-max 1000` to try anyway).

usage: python benchmarks/coop_step.py [--classes 10 100 1000] [--steps 3] [--threads 2] [--reference-max 100]
"""
import argparse, json, resource, statistics, subprocess, sys, time

def child(loop, n_cls, steps, threads):
    import torch, torch.nn.functional as F
    from metaprompt_nb.backbone import load_clip
    from metaprompt_nb.learners.coop import CoOp
    from metaprompt_nb.text_encoder import class_prompt_tokens, encode_text_embeds, place_prompt
    from metaprompt_nb.training import Trainer
    torch.set_num_threads(threads); torch.set_flush_denormal(True); torch.manual_seed(0)
    bb = load_clip('ViT-B-16')
    names = [f'class number {i}' for i in range(n_cls)]       # 3 tokens per name, like most benchmark class names
    coop = CoOp(bb.model, bb.tokenizer, names, n_ctx=16)
    y = torch.randint(n_cls, (32,))
    times = []
    if loop == 'ours':
        tr = Trainer(bb, coop, [None], epochs=1, progress=False)
        tr.prepare(data=False)
        f = F.normalize(torch.randn(32, bb.model.visual.output_dim), dim=-1)   # a cached batch of view features
        for _ in range(steps + 1):
            t0 = time.perf_counter(); tr.step(f, y); times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        with torch.no_grad(): bb.model.encode_image(torch.randn(32, 3, 224, 224))
        extra = dict(view_encode_per_image=(time.perf_counter() - t0) / 32)
    else:
        tok = class_prompt_tokens(bb.tokenizer, names, ' '.join(['X'] * 16))          # full 77 tokens
        with torch.no_grad(): emb = bb.model.token_embedding(tok)
        opt = torch.optim.SGD([coop.ctx], lr=2e-3, momentum=0.9, weight_decay=5e-4)
        for _ in range(steps + 1):
            t0 = time.perf_counter()
            with torch.no_grad(): img = F.normalize(bb.model.encode_image(torch.randn(32, 3, 224, 224)), dim=-1)
            txt = encode_text_embeds(bb.model, place_prompt(emb, coop.ctx, 1), tok, normalize=True)
            loss = F.cross_entropy(bb.model.logit_scale.exp() * img @ txt.T, y)
            opt.zero_grad(); loss.backward(); opt.step()
            times.append(time.perf_counter() - t0)
        extra = {}
    print(json.dumps(dict(loop=loop, n_cls=n_cls, secs=statistics.median(times[1:]), first=times[0],
                          peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **extra)))

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--classes', type=int, nargs='+', default=[10, 100, 1000])
    ap.add_argument('--steps', type=int, default=3, help='timed steps after one warm-up step (median reported)')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--reference-max', type=int, default=100, help='largest class count for the reference loop')
    ap.add_argument('--child', nargs=2)
    a = ap.parse_args()
    if a.child: return child(a.child[0], int(a.child[1]), a.steps, a.threads)
    rows = []
    for n in a.classes:
        r = {}
        for loop in ('reference', 'ours') if n <= a.reference_max else ('ours',):
            out = subprocess.run([sys.executable, __file__, '--child', loop, str(n), '--steps', str(a.steps if n < 1000 else 1),
                                  '--threads', str(a.threads)], capture_output=True, text=True, check=True)
            r[loop] = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(r)
        ours = r['ours']
        if 'reference' not in r:
            print(f"{n:5d} classes | reference  not run (memory) | ours {ours['secs']:8.3f} s/step, {ours['peak_mb']:7.0f} MB", flush=True)
            continue
        ref = r['reference']
        print(f"{n:5d} classes | reference {ref['secs']:8.3f} s/step, {ref['peak_mb']:7.0f} MB | ours {ours['secs']:8.3f} s/step, "
              f"{ours['peak_mb']:7.0f} MB | speed-up x{ref['secs'] / ours['secs']:.1f}", flush=True)
    print(f"one-time cost of our cached views: {rows[0]['ours']['view_encode_per_image']*1e3:.0f} ms per image and view "
          f"(ViT-B-16, batch 32, {a.threads} threads)")

if __name__ == '__main__': main()
