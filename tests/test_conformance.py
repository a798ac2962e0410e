"""The conformance matrix: every registered (method, learner) pair on the tiny world (tiny-world CLIP,
world-positions, 2 shots, 3 epochs, batch 4, Dassl's augmentation on).

(a) killed with SIGKILL right after its epoch-2 checkpoint and resumed, a run ends bit-identical to the
    uninterrupted run: learned tensors, optimiser state (momentum buffers), callback state and metrics;
(b) across 2 processes (torchrun, gloo) it ends with the learned tensors of the 1-process run, to float32
    summation order (each process holds half of every batch; the gradients are combined over processes);
(c) the run folder is the spec: any one field changed is another run, an equal spec is reused without training,
    and a checkpoint of another spec is refused with one line.
The runs are made by tests/conformance.py, three processes in all."""
import json, os, subprocess, sys
from pathlib import Path
import pytest, torch

HERE = Path(__file__).resolve().parent
ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}

def _driver(root, mode, launcher=(sys.executable,)):
    r = subprocess.run([*launcher, str(HERE/'conformance.py'), str(root), mode], capture_output=True, text=True, env=ENV, timeout=3000)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]

@pytest.fixture(scope='module')
def runs(tmp_path_factory):
    "ROOT with the world data set, GRAM files for every learner, and the full, kill and ddp runs of every pair"
    sys.path.insert(0, str(HERE))
    import conformance
    from metaprompt_nb.data import load_dataset
    from metaprompt_nb.experiments import gram_meta_train
    from metaprompt_nb.learners.base import learners
    root = tmp_path_factory.mktemp('conformance')
    load_dataset('world-positions', root/'data')                      # written once, before several processes read it
    for l in learners(): gram_meta_train(str(root/'gram'/f'{l}.pt'), l, iters=2, backbone='tiny-world', pretrained='none', device='cpu')
    _driver(root, 'full'); _driver(root, 'kill')
    _driver(root, 'ddp', (sys.executable, '-m', 'torch.distributed.run', '--standalone', '--nproc-per-node', '2'))
    return root, conformance.pairs()

def _run(root, out, method, learner):
    "(checkpoint, metrics) of the one run of a pair under ROOT/out"
    from metaprompt_nb.spec import run_name
    folder, = (root/out/run_name(method, learner)/'world-positions').iterdir()
    return torch.load(folder/'last.pt', weights_only=True), json.loads((folder/'metrics.json').read_text())

def _pairs():
    sys.path.insert(0, str(HERE))
    import conformance
    return conformance.pairs()

def test_every_pair_is_in_the_matrix():
    ps = _pairs()
    assert len(ps) >= 30 and ('prometar', 'ivlp') in ps and ('metaprompt', 'dpt') in ps and ('gram', 'maple') in ps

def _equal(a, b, path=''):
    "Bit-identical nested state (tensors, dicts, lists, numbers)"
    if isinstance(a, torch.Tensor): return torch.equal(a, b)
    if isinstance(a, dict): return a.keys() == b.keys() and all(_equal(a[k], b[k], f'{path}.{k}') for k in a)
    if isinstance(a, (list, tuple)): return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b))
    return a == b

@pytest.mark.parametrize('pair', _pairs(), ids=lambda p: '+'.join(p))
def test_killed_and_resumed_is_bit_identical(runs, pair):
    root, _ = runs
    (full, mf), (kill, mk) = _run(root, 'full', *pair), _run(root, 'kill', *pair)
    assert _equal(kill['learner'], full['learner']), 'learned tensors differ'
    assert _equal(kill['opt']['state'], full['opt']['state']), 'optimiser state differs'
    assert _equal(kill['callbacks'], full['callbacks']), 'callback state differs'
    secs = lambda h: [{k: v for k, v in e.items() if k != 'secs'} for e in h]
    assert secs(mk['history']) == secs(mf['history']) and {k: mk[k] for k in mf if k != 'history'} == {k: mf[k] for k in mf if k != 'history'}
    assert full['opt']['state'], 'the run must train for the comparison to mean something'

@pytest.mark.parametrize('pair', _pairs(), ids=lambda p: '+'.join(p))
def test_two_processes_match_one(runs, pair):
    root, _ = runs
    (one, _), (two, _) = _run(root, 'full', *pair), _run(root, 'ddp', *pair)
    for k, v in one['learner'].items():
        torch.testing.assert_close(two['learner'][k], v, atol=1e-6, rtol=1e-5, msg=lambda m: f'{k}: {m}')

def test_spec_fields_make_runs(tmp_path):
    "Any one spec field changed is another run folder; an equal spec is reused without training"
    from metaprompt_nb.experiments import train
    from metaprompt_nb.backbone import load_clip
    sd = {k: v.clone() for k, v in load_clip('tiny-world').model.state_dict().items()}; sd['logit_scale'] += 0.01
    torch.save(sd, tmp_path/'retrained.pt')
    kw = dict(dataset='toy', shots=2, epochs=1, batch_size=4, backbone='tiny-world', pretrained='none', data_root=str(tmp_path/'data'),
              output_dir=str(tmp_path/'runs'), cache_dir='none', device='cpu', quiet=True)
    variants = [{}, dict(epochs=2), dict(lr=0.01), dict(batch_size=2), dict(backbone='Tiny-ViT'), dict(pretrained=str(tmp_path/'retrained.pt')),
                dict(precision='amp'), dict(options='{"n_ctx": 2, "ctx_init": "a photo"}'), dict(options='{"augment": false}'), dict(seed=2), dict(shots=1),
                dict(subsample='all')]
    for v in variants: train('coop', **{**kw, **v})
    folders = list((tmp_path/'runs'/'coop'/'toy').iterdir())
    assert len(folders) == len(variants), sorted(f.name for f in folders)
    kg = [train('kgcoop', **{**kw, 'options': o}) for o in (None, '{"w": 1.0}')]
    assert len(list((tmp_path/'runs'/'kgcoop'/'toy').iterdir())) == 2
    stamps = {f: (f/'metrics.json').stat().st_mtime_ns for f in folders}
    for v in variants: train('coop', **{**kw, **v})                      # all reused
    assert {f: (f/'metrics.json').stat().st_mtime_ns for f in folders} == stamps
    assert train('coop', **{**kw, 'options': '{"augment":false}'}) == train('coop', **{**kw, 'options': '{"augment": false}'})

def test_checkpoint_of_another_spec_is_refused(tmp_path):
    "A checkpoint copied into the folder of another spec is refused with one line (exit 2), and nothing is written"
    args = ['--dataset', 'toy', '--shots', '2', '--batch-size', '4', '--backbone', 'tiny-world', '--pretrained', 'none', '--data-root',
            str(tmp_path/'data'), '--output-dir', str(tmp_path/'runs'), '--cache-dir', 'none', '--device', 'cpu', '--quiet']
    cli = lambda *a: subprocess.run([sys.executable, '-m', 'metaprompt_nb.cli', 'train', *args, *a], capture_output=True, text=True, env=ENV)
    assert cli('--epochs', '2').returncode == 0 and cli('--epochs', '3').returncode == 0
    two, three = sorted((tmp_path/'runs'/'coop'/'toy').iterdir(), key=lambda f: json.loads((f/'run.json').read_text())['spec']['train']['epochs'])
    (three/'last.pt').write_bytes((two/'last.pt').read_bytes()); (three/'metrics.json').unlink()
    r = cli('--epochs', '3', '--resume')
    assert r.returncode == 2 and 'was written by another run' in r.stderr and len(r.stderr.splitlines()) == 1, r.stderr
    assert not (three/'metrics.json').exists()
