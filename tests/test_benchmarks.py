"""The benchmarks run at tiny sizes (each a subprocess on the packaged tiny CLIP, seconds) and print finite figures. No
timing thresholds: speed is measured in the benchmarks, as ratios against a baseline run in the same process."""
import json, math, os, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def run(script, *args) -> dict:
    "The JSON last line printed by `benchmarks/<script> args`"
    out = subprocess.run([sys.executable, str(ROOT/'benchmarks'/script), *args], capture_output=True, text=True,
                         cwd=ROOT, env=ENV, timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])

def positive(*xs) -> bool: return all(isinstance(x, float) and math.isfinite(x) and x > 0 for x in xs)

def test_coop_step():
    row, = run('coop_step.py', '--backbone', 'tiny-world', '--classes', '3', '--steps', '1', '--threads', '1',
               '--batch', '4')['rows']
    assert set(row['ratios']) == {'ours_vs_floor_text', 'reference_vs_ours_text', 'reference_vs_ours_with_images'}
    loops = ('floor', 'ours', 'reference')
    assert positive(*row['ratios'].values(), row['image_secs'], *(row[k]['text_secs'] for k in loops))
    assert all(d < 1e-4 for d in row['loss_diff'].values())                 # the three loops compute one loss
    assert row['reference']['saved_mb'] > row['ours']['saved_mb'] > 0   # full context a class, not the real tokens

def test_gpu_smoke():
    r = run('gpu.py', '--smoke', '--device', 'cpu', '--threads', '1')
    zs = r['zero_shot_images_per_s']
    assert set(zs) == {'fp32', 'fp16', 'bf16', 'amp'} and positive(*zs.values())
    methods = ('coop', 'cocoop', 'maple', 'prometar')
    assert {(x['method'], x['n_cls']) for x in r['rows']} == {(m, n) for m in methods for n in (2, 4)}
    for x in r['rows']:
        assert not x['failed'] and positive(x['ours_secs'], x['reference_secs'], x['reference_vs_ours']), x
        assert x['loss_diff'] < 1e-4 and x['reference_mb'] > x['ours_mb'] > 0, x   # same loss, more tokens kept

def test_gpu_smoke_half_precision():
    "Every method's step runs with fp16 weights, as `auto` picks on a GPU (ProMetaR's gate and mixup once failed there)"
    r = run('gpu.py', '--smoke', '--device', 'cpu', '--threads', '1', '--precision', 'fp16', '--classes', '4')
    assert {x['method'] for x in r['rows']} == {'coop', 'cocoop', 'maple', 'prometar'}
    for x in r['rows']: assert not x['failed'] and positive(x['ours_secs'], x['reference_secs']), x

def test_meta_step():
    r = run('meta_step.py', '--backbone', 'Tiny-ViT', '--steps', '1', '--threads', '1', '--batch', '4', '--classes', '2')
    assert {'ProMetaR 2nd order', 'ProMetaR 1st order', 'MetaPrompt b2n (1st order)', 'GRAM meta 2nd order'} <= set(r['ratios'])
    assert positive(*r['secs'].values(), *r['ratios'].values())
    assert r['baselines']['ProMetaR 2nd order'] == 'IVLP plain CE'
    floor = r['secs']['ProMetaR floor (plain + MAML)']                  # ProMetaR's step split into its parts
    assert positive(r['secs']['ProMetaR regular step alone'], floor)
    assert abs(r['prometar_vs_floor'] - r['secs']['ProMetaR 2nd order'] / floor) < 1e-9
    only = run('meta_step.py', '--backbone', 'Tiny-ViT', '--steps', '1', '--batch', '4', '--classes', '2', '--only', 'GRAM few')
    assert set(only['secs']) == {'GRAM few-shot (CoOp + psi)', 'CoOp plain CE'} and only['prometar_vs_floor'] is None
