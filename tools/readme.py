"""Write README.md from nbs/index.ipynb without Quarto: run its code cells afresh (so the tables built from the
registries are current), drop `#| hide` cells, the code of `#| echo: false` cells, nbdev directive lines and stderr
(progress bars), keep the outputs.
usage: python tools/readme.py"""
import os, re
from pathlib import Path
import nbformat
from execnb.shell import CaptureShell
from nbconvert import MarkdownExporter

_directive = re.compile(r'^\s*#\|.*$\n?', re.M)
root = Path(__file__).resolve().parent.parent
nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
os.chdir(root/'nbs')
shell = CaptureShell()
for c in nb.cells:
    if c.cell_type != 'code': continue
    c.outputs = [nbformat.from_dict(o) for o in shell.run(c.source, stderr=False)]
    if shell.exc: raise SystemExit(f"nbs/index.ipynb: a cell failed: {shell.exc!r}\n{c.source}")
nb.cells = [c for c in nb.cells if not (c.cell_type == 'code' and re.match(r'\s*#\|\s*hide', c.source))]
def _shown(c):
    "A cell as the README shows it: an `echo: false` cell becomes the markdown of its output"
    if c.cell_type != 'code': return c
    if not re.search(r'#\|\s*echo:\s*false', c.source): c.source = _directive.sub('', c.source); return c
    return nbformat.v4.new_markdown_cell('\n'.join(''.join(o['data'].get('text/markdown', '')) for o in c.outputs if 'data' in o))
nb.cells = [_shown(c) for c in nb.cells]
nb.metadata.setdefault('language_info', {'name': 'python'})
nb = nbformat.reads(nbformat.writes(nb), as_version=4)     # outputs' line lists joined, as in a file
body, _ = MarkdownExporter().from_notebook_node(nb)
(root/'README.md').write_text('<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook -->\n\n' + body.strip() + '\n')
print('README.md written')
