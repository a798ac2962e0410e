"""The GPU figures in one command (a few minutes on one GPU), every ratio measured in this one process.

zero-shot  images/s of the frozen image tower (`image_features`) per precision, round robin: fp32, fp16 (pure half,
           the references'), bf16, amp (fp32 weights under fp16 autocast).
steps      CoOp, CoCoOp, MaPLe and ProMetaR (second order), each from its `settings.ini` recipe (learner config, batch
           size), one `Trainer.step` on random pixels, at 100 and 1000 classes, in two layouts of the same learner,
           callbacks and trainer: ours (prompts truncated to the longest real prompt, shared prefix encoded once) and
           the references' (every class prompt at the full 77-token context, no shared prefix; CoCoOp's per-image loop
           batched). CoOp and CoCoOp encode fresh augmented images every step with the frozen image tower under
           `torch.inference_mode`, in both layouts (Dassl's default); MaPLe and ProMetaR prompt the image tower.
Loops run round robin, median of `--steps` after one warm-up each (CUDA synchronised). Memory: on CUDA the peak a
step allocates above what was held before it; on CPU the bytes autograd saves for the backward (frozen weights left
out). A configuration that fails (out of memory, an error) is recorded as such. Backbone: ViT-B-16 with random weights.

`--smoke`: the same code at tiny sizes on any device (the packaged `tiny-world` CLIP, 2 and 4 classes, 1 step), for
CI. The last line printed is JSON.

usage: python benchmarks/gpu.py [--smoke] [--device cuda] [--classes 100 1000] [--steps 5] [--precision fp16]
"""
import argparse, contextlib, json, statistics, sys, time
from unittest import mock
import torch
from coop_step import saved_bytes
from metaprompt_nb.backbone import load_clip
from metaprompt_nb.learners.base import learner_class
from metaprompt_nb.settings import Settings
from metaprompt_nb.spec import recipe
from metaprompt_nb.training import Trainer
from metaprompt_nb.zeroshot import image_dtype, image_features

PRECISIONS = ('fp32', 'fp16', 'bf16', 'amp')
METHODS = {'coop': ('plain', 'coop'), 'cocoop': ('plain', 'cocoop'), 'maple': ('plain', 'maple'),   # name: recipe
           'prometar': ('prometar', None)}

def input_size(model) -> int:
    "The image tower's input side in pixels"
    s = model.visual.preprocess_cfg['size']
    return s if isinstance(s, int) else s[0]

def timed(f, cuda:bool, exclude=()) -> tuple:
    "(result, seconds, MB) of one call; MB: the peak allocated above what was held (CUDA), or saved for backward (CPU)"
    if cuda: torch.cuda.synchronize(); base = torch.cuda.memory_allocated(); torch.cuda.reset_peak_memory_stats()
    with contextlib.nullcontext({}) if cuda else saved_bytes(exclude) as saved:
        t0 = time.perf_counter(); out = f()
        if cuda: torch.cuda.synchronize()
        dt = time.perf_counter() - t0
    return out, dt, (torch.cuda.max_memory_allocated() - base if cuda else sum(saved.values())) / 2**20

def round_robin(fns:dict, steps:int, device, exclude=()) -> tuple:
    "Closures in turn, a warm-up then `steps` timed calls: {k: median s}, {k: max MB}, {k: warm-up result}, {k: why}"
    cuda, times, mem, first, failed = str(device).startswith('cuda'), {k: [] for k in fns}, {}, {}, {}
    for it in range(steps + 1):
        for k in [k for k, f in fns.items() if f]:
            try: out, dt, mb = timed(fns[k], cuda, exclude)
            except Exception as e:         # out of memory, or a bug: recorded, and the other configurations go on
                oom = isinstance(e, torch.cuda.OutOfMemoryError)
                failed[k] = 'out of memory' if oom else f"{type(e).__name__}: {str(e).splitlines()[0]}"
                fns[k] = None                                     # its trainer and the memory it holds go
                if cuda: torch.cuda.empty_cache()
                continue
            if it: times[k].append(dt); mem[k] = max(mem.get(k, 0), mb)
            else: first[k] = out
    return {k: statistics.median(v) for k, v in times.items() if k not in failed}, mem, first, failed

def zero_shot(name, device, batch, steps) -> dict:
    "Images/s of the frozen image tower per precision"
    models = {p: load_clip(name, device=device, precision=p).model for p in PRECISIONS}
    x = torch.randn(batch, 3, input_size(models['fp32']), input_size(models['fp32']), device=device)
    def encode(p):
        with torch.autocast(torch.device(device).type, torch.float16, enabled=p == 'amp'):
            image_features(models[p], x, device)
    secs, _, _, failed = round_robin({p: lambda p=p: encode(p) for p in PRECISIONS}, steps, device)
    return {p: batch / secs[p] if p in secs else failed[p] for p in PRECISIONS}

def reference_layout(learner):
    "Our `learner` with the references' token layout: every class prompt at the full context, no shared prefix"
    mod = sys.modules[type(learner).set_classes.__module__]     # the module whose `truncate` cuts the prompts
    with mock.patch.object(mod, 'truncate', lambda t: t): learner.set_classes(learner.classnames)
    learner.shared_prefix = False
    return learner

def step(bb, method, n_cls, layout, precision, device):
    "A closure that builds the trainer on its first call: one training step of `method` on `n_cls` classes in `layout`"
    state = {}
    def run():
        if not state: state['step'] = build(bb, method, n_cls, layout, precision, device)
        return state['step']()
    return run

def build(bb, method, n_cls, layout, precision, device):
    "A closure running one training step of `method` on `n_cls` classes in `layout` ('ours' or 'reference'); its loss"
    r = recipe(Settings(), *METHODS[method])
    names = [f'class number {i}' for i in range(n_cls)]
    torch.manual_seed(0)
    learner = learner_class(r.learner)(bb.model, bb.tokenizer, names, r.learner_config)
    if layout == 'reference': reference_layout(learner)
    tr = Trainer(bb, learner, [None], r.train, cbs=r.method_config.callbacks(), precision=precision, device=device,
                 progress=False)
    tr.prepare(data=False)
    B, size = r.train.batch_size, input_size(bb.model)
    x = torch.randn(B, 3, size, size, device=device, dtype=image_dtype(bb.model))
    y = torch.arange(B, device=device) % n_cls                  # distinct labels: ProMetaR's class split needs two
    def images():
        with torch.inference_mode(): f = image_features(bb.model, x, device)
        return f.clone()                                        # an ordinary tensor, as the trainer's features are
    return lambda: tr.step(images() if tr.cached else x, y)[0]

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--smoke', action='store_true', help='tiny sizes (tiny-world, 2 and 4 classes, 1 step)')
    ap.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    ap.add_argument('--backbone', help='default ViT-B-16 (random weights); tiny-world with --smoke')
    ap.add_argument('--classes', type=int, nargs='+', help='default 100 1000; 2 4 with --smoke')
    ap.add_argument('--methods', nargs='+', default=list(METHODS), choices=list(METHODS))
    ap.add_argument('--steps', type=int, help='timed steps after a warm-up (median); default 5, 1 with --smoke')
    ap.add_argument('--zs-batch', type=int, help='images per zero-shot batch; default 256, 4 with --smoke')
    ap.add_argument('--precision', help='of the training steps; default fp16 on a GPU (the references\'), else fp32')
    ap.add_argument('--threads', type=int, help='CPU threads (default: torch\'s)')
    a = ap.parse_args()
    pick = lambda v, full, smoke: v if v is not None else (smoke if a.smoke else full)
    backbone, classes = pick(a.backbone, 'ViT-B-16', 'tiny-world'), pick(a.classes, [100, 1000], [2, 4])
    steps, zs_batch = pick(a.steps, 5, 1), pick(a.zs_batch, 256, 4)
    precision = a.precision or ('fp16' if a.device.startswith('cuda') else 'fp32')
    if a.threads: torch.set_num_threads(a.threads)
    torch.set_flush_denormal(True)
    cuda = a.device.startswith('cuda')
    dev = torch.cuda.get_device_name(a.device) if cuda else f'cpu, {torch.get_num_threads()} thread(s)'
    print(f"{backbone} on {dev}; training steps in {precision}; median of {steps} step(s)", flush=True)
    zs = zero_shot(backbone, a.device, zs_batch, steps)
    speed = lambda p, v: f"{p} {v:.0f}" + (f" (x{v / zs['fp32']:.2f})" if isinstance(zs['fp32'], float) else '')
    print(f"zero-shot images/s (batch {zs_batch}): " +
          ', '.join(speed(p, v) if isinstance(v, float) else f"{p} failed ({v})" for p, v in zs.items()), flush=True)
    bb = load_clip(backbone, device=a.device, precision=precision)
    rows = []
    for n in classes:
        fns = {(m, l): step(bb, m, n, l, precision, a.device) for m in a.methods for l in ('ours', 'reference')}
        secs, mem, first, failed = round_robin(fns, steps, a.device, [*bb.model.parameters(), *bb.model.buffers()])
        del fns                                                 # every trainer of this class count goes
        if cuda: torch.cuda.empty_cache()
        for m in a.methods:
            row = dict(method=m, n_cls=n, **{f'{l}_{k}': d.get((m, l)) for l in ('ours', 'reference')
                                              for k, d in (('secs', secs), ('mb', mem))})
            row['failed'] = {l: failed[(m, l)] for l in ('ours', 'reference') if (m, l) in failed}
            if not row['failed']:
                row.update(reference_vs_ours=row['reference_secs'] / row['ours_secs'],
                           loss_diff=abs(first[(m, 'ours')] - first[(m, 'reference')]))
            rows.append(row)
            fmt = lambda l: (f"{l} failed ({row['failed'][l]})" if l in row['failed'] else
                             f"{l} {row[f'{l}_secs'] * 1e3:8.1f} ms {row[f'{l}_mb']:8.0f} MB")
            ratio = f" | reference x{row['reference_vs_ours']:.1f} ours" if 'reference_vs_ours' in row else ''
            print(f"{m:9s} {n:5d} classes | {fmt('ours')} | {fmt('reference')}{ratio}", flush=True)
    print(json.dumps(dict(backbone=backbone, device=dev, precision=precision, steps=steps,
                          memory='peak allocated MB' if cuda else 'MB saved for backward',
                          zero_shot_images_per_s=zs, rows=rows)))

if __name__ == '__main__': main()
