"""Step cost of the meta methods relative to plain training of the same learner, measured in one run (CPU).

For each method the baseline is a plain cross-entropy step of the same learner through the shared `Trainer`
(logits -> CE -> backward -> SGD), on the same batch:
  ProMetaR   IVLP 4+4 (depth 9, clipped): regular step with the VNet-gated regulariser + the virtual-task meta step,
             second order (default) and first order; and two steps that split its cost: the regular step alone
             (no meta step), and the floor of a second-order meta step, a plain step + one MAML step on the same
             class split (one inner gradient with graph, one outer backward through it). ProMetaR's inner step takes
             two gradients with graph, g_ce and g_reg, because its gate reads them apart, so its outer backward runs
             two double backwards where the floor runs one.
  MetaPrompt DPT 2+2 (depth 12, clipped): three-term loss + the first-order base-to-new meta step (2 class halves).
  GRAM       few-shot: CoOp (M=4) step with the frozen regulator (scale) applied to the gradient;
             meta-training: one task (8 support + 8 query pairs) vs a plain contrastive step on 16 pairs,
             second and first order.
Steps are timed interleaved (round robin over the configurations), median of `--steps` after one warm-up each.
The machine is shared: absolute times are noisy, ratios less so.

usage: python benchmarks/meta_step.py [--backbone Tiny-ViT] [--steps 5] [--threads 1] [--batch 8] [--classes 10]
"""
import argparse, json, statistics, time
import torch, torch.nn.functional as F

def setup(backbone, batch, n_cls, seed=0):
    from metaprompt_nb.backbone import load_clip
    torch.manual_seed(seed)
    bb = load_clip(backbone)
    size = bb.model.visual.preprocess_cfg['size']; size = size if isinstance(size, int) else size[0]
    x, y = torch.randn(batch, 3, size, size), torch.arange(batch) % n_cls
    return bb, [f'class number {i}' for i in range(n_cls)], x, y

def trainer_step(bb, learner, x, y, cbs):
    "A closure running one `Trainer` batch (callbacks included) on (x, y)"
    from metaprompt_nb.training import Trainer
    tr = Trainer(bb, learner, [None], epochs=10, lr=2.5e-3, batch_size=len(y), cbs=cbs, progress=False)
    tr.prepare(data=False); tr.epoch = 1; tr('before_epoch')
    for g in tr.opt.param_groups: g['lr'] = 2.5e-3
    xb = x if learner.prompts_image else F.normalize(bb.model.encode_image(x), dim=-1).detach()
    return lambda: tr.step(xb, y)

def maml_floor(bb, learner, x, y):
    "A plain CE step + one second-order MAML step (CE support, CE query) on a class split of the batch, as ProMetaR's"
    from metaprompt_nb.meta import trainable, meta_loss, split_one_class, call_with
    plain, params = trainer_step(bb, learner, x, y, []), trainable(learner)
    opt = torch.optim.SGD(params.values(), lr=2.5e-3)
    s, q = split_one_class(y, torch.Generator().manual_seed(0))
    m = s[:len(q)]                                         # a support partner per query image, as ProMetaR's mixup
    def ce(p, i): return F.cross_entropy(call_with(learner, p, lambda l: l(images=x[i])), y[i])
    def step():
        plain(); opt.zero_grad()
        meta_loss(params, lambda p: ce(p, s), lambda p: ce(p, torch.cat([q, m])), 1, 5e-4).backward(); opt.step()
    return step

def gram_steps(bb, x, first_order):
    "(meta-training step, plain contrastive step) closures for CoOp on 16 image-caption pairs"
    from metaprompt_nb.learners.coop import CoOp
    from metaprompt_nb.methods.gram import GradRegulator, caption_loss
    from metaprompt_nb.meta import trainable, meta_loss
    caps = [f'a photo of a thing number {i}.' for i in range(16)]
    xx = x.repeat((16 + len(x) - 1) // len(x), 1, 1, 1)[:16]
    l = CoOp(bb.model, bb.tokenizer, ['x'], n_ctx=4)
    reg = GradRegulator({n: p.shape for n, p in trainable(l).items()}, 'scale')
    params = trainable(l)
    opt = torch.optim.Adam(list(params.values()) + list(reg.parameters()), lr=1e-3)
    s, q = slice(0, 8), slice(8, 16)
    def meta():
        opt.zero_grad()
        meta_loss(params, lambda p: caption_loss(l, p, xx[s], caps[s]), lambda p: caption_loss(l, p, xx[q], caps[q]),
                  1, 1e-2, first_order, reg).backward(); opt.step()
    def plain():
        opt.zero_grad(); caption_loss(l, params, xx, caps).backward(); opt.step()
    return meta, plain

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--backbone', default='Tiny-ViT'); ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--threads', type=int, default=1); ap.add_argument('--batch', type=int, default=8)
    ap.add_argument('--classes', type=int, default=10)
    ap.add_argument('--only', nargs='*', default=None, help="time only the steps whose names start so (and their baselines)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads); torch.set_flush_denormal(True)
    import tempfile
    from metaprompt_nb.learners.ivlp import IVLP
    from metaprompt_nb.learners.dpt import DPT
    from metaprompt_nb.learners.coop import CoOp
    from metaprompt_nb.methods.prometar import ProMetaR
    from metaprompt_nb.methods.metaprompt import MetaPrompt
    from metaprompt_nb.methods.gram import GRAM, GradRegulator, save_gram
    from metaprompt_nb.meta import trainable
    bb, names, x, y = setup(a.backbone, a.batch, a.classes)
    ivlp = lambda: (torch.manual_seed(0), IVLP(bb.model, bb.tokenizer, names))[1]
    dpt = lambda: (torch.manual_seed(0), DPT(bb.model, bb.tokenizer, names))[1]
    coop = lambda: (torch.manual_seed(0), CoOp(bb.model, bb.tokenizer, names, n_ctx=4))[1]
    c = coop(); path = tempfile.mktemp(suffix='.pt')
    save_gram(path, c, GradRegulator({n: p.shape for n, p in trainable(c).items()}, 'scale'), dict(learner='coop'))
    class RegularOnly(ProMetaR):
        def meta_step(self, tr): return None
    configs = {
        'IVLP plain CE': trainer_step(bb, ivlp(), x, y, []),
        'ProMetaR 2nd order': trainer_step(bb, ivlp(), x, y, [ProMetaR()]),
        'ProMetaR regular step alone': trainer_step(bb, ivlp(), x, y, [RegularOnly()]),
        'ProMetaR floor (plain + MAML)': maml_floor(bb, ivlp(), x, y),
        'ProMetaR 1st order': trainer_step(bb, ivlp(), x, y, [ProMetaR(first_order=True)]),
        'DPT plain CE(z)': trainer_step(bb, dpt(), x, y, []),
        'MetaPrompt b2n (1st order)': trainer_step(bb, dpt(), x, y, [MetaPrompt()]),
        'CoOp plain CE': trainer_step(bb, coop(), x, y, []),
        'GRAM few-shot (CoOp + psi)': trainer_step(bb, coop(), x, y, [GRAM(path=path)]),
    }
    (m2, plain_c), (m1, _) = gram_steps(bb, x, False), gram_steps(bb, x, True)
    configs.update({'contrastive plain (16 pairs)': plain_c, 'GRAM meta 2nd order': m2, 'GRAM meta 1st order': m1})
    base = {'ProMetaR': 'IVLP plain CE', 'MetaPrompt': 'DPT plain CE(z)', 'GRAM few-shot': 'CoOp plain CE', 'GRAM meta': 'contrastive plain (16 pairs)'}
    baseline = lambda k: next((b for p, b in base.items() if k.startswith(p)), None)
    if a.only is not None:
        keep = {k for k in configs if k.startswith(tuple(a.only))}
        configs = {k: f for k, f in configs.items() if k in keep or k in {baseline(c) for c in keep}}
    times = {k: [] for k in configs}
    for it in range(a.steps + 1):
        for k, f in configs.items():
            t0 = time.perf_counter(); f(); dt = time.perf_counter() - t0
            if it: times[k].append(dt)
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"backbone {a.backbone}, batch {a.batch}, {a.classes} classes, {a.threads} thread(s), median of {a.steps} steps (shared, noisy machine)")
    for k, v in med.items():
        ref = baseline(k)
        print(f"  {k:32s} {v*1e3:9.1f} ms/step" + (f"   x{v / med[ref]:.2f} vs {ref}" if ref else ''))
    floor = 'ProMetaR floor (plain + MAML)'
    vs_floor = med['ProMetaR 2nd order'] / med[floor] if {'ProMetaR 2nd order', floor} <= set(med) else None
    if vs_floor: print(f"  ProMetaR 2nd order / its floor: x{vs_floor:.2f} (two inner gradients with graph, the floor one)")
    baselines = {k: baseline(k) for k in med}
    print(json.dumps(dict(backbone=a.backbone, batch=a.batch, classes=a.classes, threads=a.threads, steps=a.steps, secs=med,
                          ratios={k: med[k] / med[b] for k, b in baselines.items() if b}, baselines=baselines,
                          prometar_vs_floor=vs_floor)))

if __name__ == '__main__': main()
