"""Build the docs site without Quarto: nbdev's notebook processing -> tools/docs_prep.py -> Sphinx (myst-nb) with -W.
usage: python tools/build_docs.py [--out _build/html]
Writes only git-ignored paths: _proc/, nbs/{_quarto,nbdev,sidebar}.yml, _build/. Where Quarto is installed,
`nbdev-docs` builds nbdev's own site from the same notebooks."""
import argparse, os, sys, time
from pathlib import Path
from nbdev.config import get_config
from nbdev.quarto import nbdev_sidebar, refresh_quarto_yml
from nbdev.serve import proc_nbs
from sphinx.cmd.build import build_main

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root/'tools'))
from docs_prep import Prep

def build(out='_build/html', workers=None):
    "Process the notebooks the way `nbdev-proc-nbs` does (minus its Quarto install and _modidx rewrite), then Sphinx"
    os.chdir(root)
    t0 = time.perf_counter()
    refresh_quarto_yml(); nbdev_sidebar.__wrapped__()
    proc = proc_nbs(n_workers=os.cpu_count() if workers is None else workers)
    t1 = time.perf_counter()
    src = root/'_build'/'docs_src'
    pages = Prep(proc, src).run()
    rc = build_main(['-W', '--keep-going', '-q', '-b', 'html', '-c', str(root/'docs'),
                     '-d', str(root/'_build'/'doctrees'), str(src), str(out)])
    print(f'docs: {len(pages)} pages, notebooks processed in {t1-t0:.1f} s, site in {time.perf_counter()-t1:.1f} s -> {out}')
    return rc

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--out', default='_build/html', help='site folder')
    ap.add_argument('--workers', type=int, default=None, help='notebook-processing workers (default: all cores)')
    a = ap.parse_args()
    sys.exit(build(a.out, a.workers))
