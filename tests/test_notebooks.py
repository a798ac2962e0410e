"Run every notebook in nbs/ as one pytest test, through nbdev's own test runner (same skips as `nbdev-test`)."
import os, pytest
from nbdev.config import get_config
from nbdev.test import test_nb as run_nb   # renamed: pytest would collect a function called test_nb

cfg = get_config()
NBS = sorted(p for p in cfg.nbs_path.rglob('*.ipynb')
             if not p.name.startswith(('_', '.')) and '.ipynb_checkpoints' not in p.parts)
SKIP = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
FORCE = os.environ.get('NBDEV_FLAGS', '').split()   # e.g. NBDEV_FLAGS=slow pytest

@pytest.mark.parametrize('nb', NBS, ids=lambda p: str(p.relative_to(cfg.nbs_path).with_suffix('')))
def test_notebook(nb, monkeypatch):
    monkeypatch.chdir(nb.parent)
    ok, secs = run_nb(nb, skip_flags=[f for f in SKIP if f not in FORCE], force_flags=FORCE, basepath=cfg.config_path)
    assert ok, f'{nb.relative_to(cfg.config_path)} failed; the cell and traceback are in the captured stderr above'
