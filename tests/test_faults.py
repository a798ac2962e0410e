"""Fault suite: every bad input a user can give the CLI ends in one line on stderr and exit code 2, before any result is
written (each probe a subprocess on the toy data set and the packaged tiny models, a few seconds each)."""
import json, os, subprocess, sys, warnings
from pathlib import Path
import pytest, torch

ENV = {**os.environ, 'OMP_NUM_THREADS': '1'}
ENV.pop('METAPROMPT_TRUST_TORCHSCRIPT', None)

@pytest.fixture(scope='module')
def root(tmp_path_factory):
    "A data root with the toy set, plus the files the probes need: bad settings, a script archive, an escaping split"
    root = tmp_path_factory.mktemp('faults')
    (root/'syntax.ini').write_text('[experiment\nshots = 4\n')
    (root/'type.ini').write_text('[experiment]\nshots = four\n')
    (root/'section.ini').write_text('[experiment]\n\n[kgcop]\nw = 4\n')
    from metaprompt_nb.backbone import load_clip
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.jit.script(load_clip('Tiny-ViT').model).save(str(root/'scripted.pt'))
    (root/'escape'/'images').mkdir(parents=True)
    (root/'escape'/'split_zhou_Escape.json').write_text(json.dumps(dict(train=[['../../etc/passwd', 0, 'x']], val=[], test=[])))
    (root/'afile').write_text('not a run')
    return root

def common(root, **kw):
    "The arguments every training probe shares (a valid run but for the one bad value the probe adds)"
    a = {**dict(dataset='toy', shots='2', epochs='1', batch_size='4', backbone='tiny-world', pretrained='none', data_root=root/'data',
                output_dir=root/'runs', cache_dir='none', device='cpu'), **kw}
    return [x for k, v in a.items() for x in (f"--{k.replace('_', '-')}", str(v))] + ['--quiet']

PROBES = [  # (id, command and arguments given the fixture root, what the one line must say)
    ('lr-nan', lambda r: ['train', *common(r, lr='nan')], 'lr must be a finite number'),
    ('precision-fp8', lambda r: ['train', *common(r, precision='fp8')], "precision must be one of 'auto', 'fp32'"),
    ('precision-fp16-cpu', lambda r: ['train', *common(r, precision='fp16')], "precision 'fp16' needs a GPU"),
    ('shots-0', lambda r: ['train', *common(r, shots='0')], 'shots must be >= 1'),
    ('epochs-0', lambda r: ['train', *common(r, epochs='0')], 'epochs must be >= 1'),
    ('batch-negative', lambda r: ['train', *common(r, batch_size='-4')], 'batch_size must be >= 1'),
    ('n-ctx-string', lambda r: ['train', *common(r), '--options', '{"n_ctx": "four"}'], "n_ctx must be an integer or null, got 'four'"),
    ('n-ctx-contradicts-init', lambda r: ['train', *common(r), '--options', '{"n_ctx": 16}'], "n_ctx=16 but ctx_init 'a photo of a' has 4 words"),
    ('augment-string', lambda r: ['train', *common(r), '--options', '{"augment": "no"}'], "augment must be true/false, got 'no'"),
    ('lambda-string', lambda r: ['train', *common(r), '--method', 'prograd', '--options', '{"lambda_": "x"}'], 'lambda_ must be a number'),
    ('options-list', lambda r: ['train', *common(r), '--options', '[1, 2]'], '--options must be a JSON object'),
    ('options-twice', lambda r: ['train', *common(r), '--options', '{"epochs": 1, "epochs": 2}'], "--options gives ['epochs'] twice"),
    ('knob-twice', lambda r: ['train', *common(r), '--options', '{"epochs": 2}'], 'epochs given twice'),
    ('unknown-option', lambda r: ['train', *common(r), '--options', '{"n_cxt": 4}'], "unknown option 'n_cxt'"),
    ('device-gpu', lambda r: ['train', *common(r, device='gpu')], "unknown device 'gpu'"),
    ('settings-missing', lambda r: ['train', *common(r), '--settings', str(r/'missing.ini')], 'not found'),
    ('settings-syntax', lambda r: ['train', *common(r), '--settings', str(r/'syntax.ini')], 'File contains no section headers'),
    ('settings-type', lambda r: ['train', *common(r), '--settings', str(r/'type.ini')], "shots must be an integer, got 'four'"),
    ('settings-section', lambda r: ['train', *common(r), '--settings', str(r/'section.ini')], '[kgcop] names no learner or method'),
    ('split-escapes', lambda r: ['train', *common(r, dataset=r/'escape'/'split_zhou_Escape.json')], 'leaves the image folder'),
    ('torchscript-untrusted', lambda r: ['zeroshot', '--dataset', 'toy', '--backbone', 'Tiny-ViT', '--pretrained', str(r/'scripted.pt'),
                                         '--data-root', str(r/'data'), '--output-dir', str(r/'runs'), '--cache-dir', 'none', '--device', 'cpu'],
     "none of OpenAI's released files, and TorchScript can run code"),
    ('split-typo', lambda r: ['zeroshot', '--dataset', 'toy', '--backbone', 'tiny-world', '--data-root', str(r/'data'), '--output-dir',
                              str(r/'runs'), '--cache-dir', 'none', '--device', 'cpu', '--split', 'tset'], "split must be one of train, val, test; got 'tset'"),
    ('eval-a-file', lambda r: ['eval', str(r/'afile')], 'is not a finished run folder'),
    ('pair-unsupported', lambda r: ['train', *common(r), '--method', 'promptsrc', '--learner', 'coop'], "'coop' lacks image"),
]

@pytest.mark.parametrize('name,args,message', PROBES, ids=[p[0] for p in PROBES])
def test_bad_input_is_one_line(root, name, args, message):
    r = subprocess.run([sys.executable, '-m', 'metaprompt_nb.cli', *map(str, args(root))], capture_output=True, text=True, env=ENV,
                       timeout=300)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert len(lines) == 1 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert message in lines[0], lines[0]
    assert not list((root/'runs').rglob('metrics.json')), 'a bad input wrote a result'
