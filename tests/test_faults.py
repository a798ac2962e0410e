"""Fault suite: every bad input a user can give the CLI ends in one line on stderr and exit code 2, before any result is
written; every fault of the machine (corrupt checkpoint, second writer, Ctrl-C, read-only or full disk, killed data
generation, no network) ends in one line and loses nothing (each probe a subprocess on the toy data set or the tiny
world and the packaged tiny models, a few seconds each)."""
import fcntl, json, os, shutil, signal, subprocess, sys, tempfile, time, warnings
from pathlib import Path
import pytest, torch

ENV = {**os.environ, 'OMP_NUM_THREADS': '1',
       'HF_ENDPOINT': 'http://127.0.0.1:9', 'HF_HUB_CACHE': tempfile.mkdtemp()}   # no model hub, an empty download cache
ENV.pop('METAPROMPT_TRUST_TORCHSCRIPT', None)
ENV.pop('HF_HUB_OFFLINE', None)

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
    from metaprompt_nb.data import make_toy_dataset
    sp = json.loads(make_toy_dataset(root/'broken').read_text())
    (root/'broken'/'toy'/'split_zhou_Missing.json').write_text(json.dumps({**sp, 'test': sp['test'] + [['red/gone.png', 0, 'red']]}))
    (root/'broken'/'toy'/'images'/'red'/'bad.png').write_text('not a png')
    unreadable = [e for e in sp['train'] if e[2] != 'red'] + [['red/bad.png', 0, 'red']]
    (root/'broken'/'toy'/'split_zhou_Unreadable.json').write_text(json.dumps({**sp, 'train': unreadable}))
    (root/'broken'/'toy'/'split_zhou_Classless.json').write_text(json.dumps({**sp, 'train': [e for e in sp['train'] if e[2] != 'blue']}))
    (root/'moved').mkdir(); (root/'moved'/'split_zhou_Moved.json').write_text(json.dumps(sp))   # a split file away from its images
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
    ('n-views-negative', lambda r: ['train', *common(r, n_views='-2')], 'n_views must be >= 1, got -2'),
    ('options-null', lambda r: ['train', *common(r), '--options', 'null'], '--options must be a JSON object'),
    ('device-cuda-absent', lambda r: ['train', *common(r, device='cuda')], "device 'cuda' asked for, but no GPU is visible"),
    ('gram-iters-0', lambda r: ['gram-pretrain', '--iters', '0', '--backbone', 'tiny-world'], 'iters must be >= 1, got 0'),
    ('reproduce-pair-before-any-run', lambda r: ['reproduce', '--methods', 'coop', 'promptsrc+coop', '--datasets', 'toy', '--backbone',
                                                 'tiny-world', '--data-root', str(r/'data'), '--output-dir', str(r/'runs'), '--device', 'cpu'],
     "'coop' lacks image"),
    ('device-gpu', lambda r: ['train', *common(r, device='gpu')], "unknown device 'gpu'"),
    ('settings-missing', lambda r: ['train', *common(r), '--settings', str(r/'missing.ini')], 'not found'),
    ('settings-syntax', lambda r: ['train', *common(r), '--settings', str(r/'syntax.ini')], 'File contains no section headers'),
    ('settings-type', lambda r: ['train', *common(r), '--settings', str(r/'type.ini')], "shots must be an integer, got 'four'"),
    ('settings-section', lambda r: ['train', *common(r), '--settings', str(r/'section.ini')], '[kgcop] names no learner or method'),
    ('test-image-missing', lambda r: ['train', *common(r, dataset=r/'broken'/'toy'/'split_zhou_Missing.json')],
     '1 of its 57 images are missing, e.g.'),
    ('class-without-train-images', lambda r: ['train', *common(r, dataset=r/'broken'/'toy'/'split_zhou_Classless.json')],
     "1 classes have no train images: 'blue'"),
    ('image-unreadable-in-worker', lambda r: ['train', *common(r, dataset=r/'broken'/'toy'/'split_zhou_Unreadable.json', shots='1',
                                                               workers='2')], "cannot read image"),
    ('split-escapes', lambda r: ['train', *common(r, dataset=r/'escape'/'split_zhou_Escape.json')], 'leaves the image folder'),
    ('torchscript-untrusted', lambda r: ['zeroshot', '--dataset', 'toy', '--backbone', 'Tiny-ViT', '--pretrained', str(r/'scripted.pt'),
                                         '--data-root', str(r/'data'), '--output-dir', str(r/'runs'), '--cache-dir', 'none', '--device', 'cpu'],
     "none of OpenAI's released files, and TorchScript can run code"),
    ('split-typo', lambda r: ['zeroshot', '--dataset', 'toy', '--backbone', 'tiny-world', '--data-root', str(r/'data'), '--output-dir',
                              str(r/'runs'), '--cache-dir', 'none', '--device', 'cpu', '--split', 'tset'], "split must be one of train, val, test; got 'tset'"),
    ('offline-openai', lambda r: ['zeroshot', '--dataset', 'toy', '--backbone', 'ViT-B-32', '--pretrained', 'openai', '--data-root',
                                  str(r/'data'), '--output-dir', str(r/'runs'), '--device', 'cpu'],
     'the model hub (http://127.0.0.1:9) cannot be reached and they are not in the download cache'),
    ('diverges', lambda r: ['train', *common(r, lr='1e30', epochs='3'), '--method', 'prometar'], 'training diverged at epoch'),
    ('eval-a-file', lambda r: ['eval', str(r/'afile')], 'is not a finished run folder'),
    ('pair-unsupported', lambda r: ['train', *common(r), '--method', 'promptsrc', '--learner', 'coop'], "'coop' lacks image"),
    ('split-away-from-images', lambda r: ['train', *common(r, dataset=r/'moved'/'split_zhou_Moved.json')],
     'give the folder its paths start from as --image-root'),
    ('gram-pairs-missing', lambda r: ['gram-pretrain', '--pairs', str(r/'no-such-folder'), '--backbone', 'tiny-world', '--iters', '1'],
     'holds no pair index: one of pairs.csv, pairs.tsv, pairs.jsonl'),
    ('heldout-unknown-domain', lambda r: ['train', *common(r, dataset='world-shapes-dg', subsample='heldout-sketch')],
     "unknown domain 'sketch': the data set has blurry, cartoon, clean, noisy, pixelated"),
    ('dg-single-domain', lambda r: ['reproduce', '--protocol', 'dg', '--methods', 'coop', '--datasets', 'toy', '--backbone', 'tiny-world',
                                    '--data-root', str(r/'data'), '--output-dir', str(r/'runs'), '--device', 'cpu'],
     'protocol dg needs data sets of several domains; toy has one'),
]

@pytest.mark.parametrize('name,args,message', PROBES, ids=[p[0] for p in PROBES])
def test_bad_input_is_one_line(root, name, args, message):
    if name == 'device-cuda-absent' and torch.cuda.is_available(): pytest.skip('a GPU is visible here')
    r = subprocess.run([sys.executable, '-m', 'metaprompt_nb.cli', *map(str, args(root))], capture_output=True, text=True, env=ENV,
                       timeout=300)
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2, (r.returncode, r.stderr[-2000:])
    assert len(lines) == 1 and 'Traceback' not in r.stderr, r.stderr[-2000:]
    assert message in lines[0], lines[0]
    assert not list((root/'runs').rglob('metrics.json')), 'a bad input wrote a result'

# Faults of the machine and of other processes

def cli(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, '-m', 'metaprompt_nb.cli', *map(str, args)], capture_output=True, text=True, env=ENV,
                          timeout=600, **kw)

def popen(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, '-m', 'metaprompt_nb.cli', *map(str, args)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=ENV)

def one_line(r, code, message):
    "`r` (a finished process) exited with `code` and said `message` in one line on stderr"
    lines = r.stderr.strip().splitlines()
    assert r.returncode == code, (r.returncode, r.stderr[-2000:])
    assert len(lines) == 1 and 'Traceback' not in r.stderr and message in lines[0], r.stderr[-2000:]

def the_run(out) -> Path:
    "The one run folder under `out`"
    folder, = (f for f in Path(out).rglob('run.json')); return folder.parent

def wait_for(cond, timeout=300, what=''):
    t = time.monotonic()
    while not cond():
        assert time.monotonic() - t < timeout, f'timed out waiting for {what}'
        time.sleep(0.05)

def locked(path) -> bool:
    "Whether another process holds the lock on `path`"
    if not Path(path).is_file(): return False
    with open(path) as f:
        try: fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError: return True
        fcntl.flock(f, fcntl.LOCK_UN); return False

def same(a, b) -> bool:
    "Bit-identical nested state (tensors, dicts, lists, numbers)"
    if isinstance(a, torch.Tensor): return torch.equal(a, b)
    if isinstance(a, dict): return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b

def learned(folder) -> dict: return torch.load(Path(folder)/'last.pt', weights_only=True)['learner']

def results(folder) -> dict:
    "metrics.json without the timings"
    m = json.loads((Path(folder)/'metrics.json').read_text())
    return {**m, 'history': [{k: v for k, v in e.items() if k != 'secs'} for e in m['history']]}

@pytest.fixture(scope='module')
def done(root):
    "A finished 2-epoch run (the reference the checkpoint probes corrupt copies of) and its arguments"
    args = common(root, epochs='2', output_dir=root/'done')
    assert cli('train', *args).returncode == 0
    return the_run(root/'done'), args

def _corrupt(kind, good:Path, other:Path|None, path:Path):
    "Write a `kind` of damaged checkpoint to `path`, made from the good one"
    b = good.read_bytes()
    if kind == 'truncated': path.write_bytes(b[:len(b)//2])
    elif kind == 'empty': path.write_bytes(b'')
    elif kind == 'random': path.write_bytes(os.urandom(5000))
    elif kind == 'not-a-checkpoint': torch.save([1, 2], path)
    elif kind == 'other-run': path.write_bytes(other.read_bytes())
    elif kind == 'other-shapes':
        s = torch.load(good, weights_only=True); s['learner'] = {k: torch.zeros(3, 3) for k in s['learner']}; torch.save(s, path)

CORRUPT = [('truncated', 'is unreadable'), ('empty', 'is unreadable'), ('random', 'is unreadable'),
           ('not-a-checkpoint', 'is not a metaprompt_nb checkpoint'), ('other-run', 'was written by another run'),
           ('other-shapes', 'does not fit this run')]

@pytest.mark.parametrize('kind,message', CORRUPT, ids=[c[0] for c in CORRUPT])
def test_corrupt_checkpoint_is_one_line(root, done, kind, message):
    "A damaged or foreign last.pt stops --resume with one line, and is left as it was for the user to look at"
    folder, args = done
    out = root/f'corrupt-{kind}'; shutil.copytree(root/'done', out)
    run = out/folder.relative_to(root/'done'); (run/'metrics.json').unlink()
    other = None
    if kind == 'other-run':                                                        # a checkpoint of another spec
        assert cli('train', *common(root, epochs='3', output_dir=root/'other')).returncode == 0
        other = the_run(root/'other')/'last.pt'
    _corrupt(kind, folder/'last.pt', other, run/'last.pt')
    before = (run/'last.pt').read_bytes()
    one_line(cli('train', *common(root, epochs='2', output_dir=out), '--resume'), 2, message)
    assert (run/'last.pt').read_bytes() == before and not (run/'metrics.json').exists()

def test_two_writers_of_one_run(root):
    "The same command twice at once: the second stops with one line while the first trains on to a complete result"
    args = common(root, epochs='800', output_dir=root/'twice')
    first = popen('train', *args)
    wait_for(lambda: any(locked(p) for p in (root/'twice').rglob('.lock')), what='the first run to start')
    one_line(cli('train', *args), 2, 'is being trained by another process')
    assert first.wait(timeout=600) == 0, first.stderr.read()
    run = the_run(root/'twice')
    assert json.loads((run/'run.json').read_text())['key'] == json.loads((run/'metrics.json').read_text())['key']

def test_two_specs_at_once_write_two_runs(root):
    "lr 0.002 and lr 0.05 at once: two folders, each holding its own spec, checkpoint and results"
    ps = [popen('train', *common(root, epochs='20', lr=lr, output_dir=root/'both')) for lr in ('0.002', '0.05')]
    assert [p.wait(timeout=600) for p in ps] == [0, 0], [p.stderr.read() for p in ps]
    runs = sorted({p.parent for p in (root/'both').rglob('run.json')})
    assert len(runs) == 2
    lrs = {json.loads((r/'run.json').read_text())['spec']['train']['lr'] for r in runs}
    assert lrs == {0.002, 0.05}
    for r in runs:
        spec = json.loads((r/'run.json').read_text())
        assert spec['key'] == json.loads((r/'metrics.json').read_text())['key'] == torch.load(r/'last.pt', weights_only=True)['spec_key']

def test_ctrl_c_keeps_the_checkpoint_and_resumes_exactly(root):
    "SIGINT mid-run: one line, exit 130, the last checkpoint kept, no result; --resume ends as the uninterrupted run"
    args = common(root, epochs='400', output_dir=root/'interrupted')
    p = popen('train', *args)
    wait_for(lambda: any((root/'interrupted').rglob('last.pt')), what='the first checkpoint')
    p.send_signal(signal.SIGINT); p.wait(timeout=120)
    one_line(subprocess.CompletedProcess(p.args, p.returncode, '', p.stderr.read()), 130, 'interrupted; the last checkpoint is kept')
    run = the_run(root/'interrupted')
    assert not (run/'metrics.json').exists() and 0 <= torch.load(run/'last.pt', weights_only=True)['epoch'] < 399
    assert cli('train', *args, '--resume').returncode == 0
    assert cli('train', *common(root, epochs='400', output_dir=root/'whole')).returncode == 0
    whole = the_run(root/'whole')
    assert results(run) == results(whole)
    assert all(torch.equal(v, learned(whole)[k]) for k, v in learned(run).items())

@pytest.fixture
def mount(tmp_path):
    "mount(size, read_only) -> a fresh tmpfs folder (a small disk, or a read-only one), unmounted after the test"
    points = []
    def make(size='1m', read_only=False):
        d = tmp_path/f'disk{len(points)}'; d.mkdir()
        if subprocess.run(['mount', '-t', 'tmpfs', '-o', f'size={size}', 'tmpfs', str(d)], capture_output=True).returncode:
            pytest.skip('needs a tmpfs mount (root in a container that allows it) to make a full or read-only disk')
        points.append(d)
        if read_only: subprocess.run(['mount', '-o', 'remount,ro', str(d)], check=True)
        return d
    yield make
    for d in points: subprocess.run(['umount', str(d)])

def test_full_disk_loses_nothing(root, done, mount):
    "The disk fills up during a run: one line naming the file, the last checkpoint kept, --resume finishes exactly"
    folder, _ = done
    page = 4096
    pages = lambda f: -(-Path(f).stat().st_size // page)
    disk = mount(f"{(pages(folder/'run.json') + pages(folder/'last.pt') * 3 // 2 + 1) * page}")   # too small for the run
    args = common(root, epochs='2', output_dir=disk/'runs')
    one_line(cli('train', *args), 2, 'No space left on device')
    run = the_run(disk/'runs')
    assert torch.load(run/'last.pt', weights_only=True)['epoch'] in (0, 1) and not (run/'metrics.json').exists()   # readable
    assert not list(run.glob('.*.tmp')), 'a temporary file is left on the full disk'
    subprocess.run(['mount', '-o', 'remount,size=20m', str(disk)], check=True)     # space freed
    assert cli('train', *args, '--resume').returncode == 0
    assert results(run) == results(folder)
    assert all(torch.equal(v, learned(folder)[k]) for k, v in learned(run).items())

def test_full_or_read_only_cache_only_warns(root, done, mount):
    "A feature cache that cannot be written: one warning line, and the run's result is written all the same"
    folder, _ = done
    full = mount('4k'); (full/'filler').write_bytes(b'x' * 4096)
    for cache in (mount(read_only=True), full):
        r = cli('train', *common(root, epochs='2', output_dir=cache.parent/f'{cache.name}-runs', cache_dir=cache))
        warning, = r.stderr.strip().splitlines()
        assert r.returncode == 0 and warning.startswith('metaprompt_nb: warning: could not write the feature cache in'), r.stderr
        assert results(the_run(cache.parent/f'{cache.name}-runs')) == results(folder)

def test_read_only_output_or_data_is_one_line(root, mount):
    ro = mount(read_only=True)
    one_line(cli('train', *common(root, output_dir=ro/'runs')), 2, 'Read-only file system')
    one_line(cli('train', *common(root, data_root=ro/'data', output_dir=root/'ro-data')), 2, 'that place is read-only')
    assert not list((root/'ro-data').rglob('metrics.json'))

def test_killed_world_generation_is_regenerated(tmp_path):
    "kill -9 while the world is written, then two processes on two of its data sets at once: both find it complete"
    data = tmp_path/'data'
    gen = subprocess.Popen([sys.executable, '-c', 'import sys, metaprompt_nb.world; from metaprompt_nb.data import load_dataset; '
                            'load_dataset("world-placed-shapes", sys.argv[1])', str(data)], env=ENV)   # ~10 s to write
    wait_for(lambda: any(d.is_dir() and any(d.iterdir()) for d in data.glob('.making-*')), what='the world being written')
    time.sleep(1); gen.kill(); gen.wait()
    assert not (data/'world_placed_shapes').exists()
    zs = [popen('zeroshot', '--dataset', d, '--backbone', 'tiny-world', '--data-root', data, '--output-dir', tmp_path/'zs',
                '--cache-dir', 'none', '--device', 'cpu', '--quiet') for d in ('world-placed-shapes', 'world-shapes')]
    assert [p.wait(timeout=600) for p in zs] == [0, 0], [p.stderr.read() for p in zs]
    assert len(list((tmp_path/'zs').rglob('metrics.json'))) == 2 and not list(data.glob('.making-*'))

def test_killed_reproduce_resumes_exactly(root):
    "reproduce killed (kill -9) inside a ProMetaR run and rerun: the same checkpoint, results and table as uninterrupted"
    args = lambda out: ['reproduce', '--methods', 'zeroshot', 'prometar', '--datasets', 'toy', '--seeds', '1', '--epochs', '40',
                        '--shots', '2', '--batch-size', '4', '--backbone', 'tiny-world', '--data-root', root/'data',
                        '--output-dir', out, '--cache-dir', 'none', '--device', 'cpu', '--quiet']
    p = subprocess.Popen([sys.executable, '-m', 'metaprompt_nb.cli', *map(str, args(root/'killed'))], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=ENV)
    wait_for(lambda: any((root/'killed'/'prometar').rglob('last.pt')), what='the first ProMetaR checkpoint')
    p.kill(); p.wait()
    assert not list((root/'killed'/'prometar').rglob('metrics.json')), 'killed too late: the run had finished'
    for out in ('killed', 'unkilled'): assert cli(*args(root/out)).returncode == 0
    (k, u) = (the_run(root/o/'prometar') for o in ('killed', 'unkilled'))
    ck, cu = (torch.load(f/'last.pt', weights_only=True) for f in (k, u))
    assert all(torch.equal(v, cu['learner'][n]) for n, v in ck['learner'].items())
    assert same(ck['callbacks'], cu['callbacks']) and results(k) == results(u)
    rows = lambda o: json.loads((root/o/'reproduce'/'base2new'/'table.json').read_text())['rows']
    assert rows('killed') == rows('unkilled')

def test_image_root_finds_the_images_of_a_moved_split_file(root):
    "--image-root: the split file's images wherever they are; the result is the one of the split file beside its images"
    args = lambda ds, *extra: ['zeroshot', '--dataset', ds, *extra, '--backbone', 'tiny-world', '--data-root', root/'data',
                               '--output-dir', root/'image-root', '--cache-dir', 'none', '--device', 'cpu', '--quiet']
    moved = cli(*args(root/'moved'/'split_zhou_Moved.json', '--image-root', root/'broken'/'toy'/'images'))
    beside = cli(*args(root/'broken'/'toy'/'split_zhou_toy.json'))
    assert moved.returncode == beside.returncode == 0, moved.stderr + beside.stderr
    row = lambda r: r.stdout.splitlines()[-2].split('|')[2:]                                     # accuracy, n of the table
    assert row(moved) == row(beside), moved.stdout + beside.stdout

def test_gram_pretrain_on_a_pair_folder(tmp_path):
    "gram-pretrain --pairs DIR end to end on a generated folder of world pairs (no domain labels in it)"
    from metaprompt_nb.pairs import make_world_pairs
    from metaprompt_nb.methods.gram import load_gram
    make_world_pairs(tmp_path/'pairs', 200, seed=3)
    out = tmp_path/'gram.pt'
    r = cli('gram-pretrain', '--pairs', tmp_path/'pairs', '--out', out, '--iters', '3', '--backbone', 'tiny-world', '--device', 'cpu',
            '--cache-dir', tmp_path/'cache')
    assert r.returncode == 0 and out.is_file(), r.stderr[-2000:]
    theta0, _, cfg = load_gram(out)
    assert cfg['source'] == str((tmp_path/'pairs').resolve()) and cfg['clusters'] == 8 and cfg['iters'] == 3 and 'ctx' in theta0
    assert list((tmp_path/'cache').glob('clusters-*.pt')), 'the clusters are cached'
