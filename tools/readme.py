"""Write README.md from nbs/index.ipynb without Quarto: drop `#| hide` cells and nbdev directive lines, keep outputs.
usage: python tools/readme.py"""
import re
from pathlib import Path
import nbformat
from nbconvert import MarkdownExporter

_directive = re.compile(r'^\s*#\|.*$\n?', re.M)
root = Path(__file__).resolve().parent.parent
nb = nbformat.read(root/'nbs'/'index.ipynb', as_version=4)
nb.cells = [c for c in nb.cells if not (c.cell_type == 'code' and re.match(r'\s*#\|\s*hide', c.source))]
for c in nb.cells:
    if c.cell_type == 'code': c.source = _directive.sub('', c.source)
nb.metadata.setdefault('language_info', {'name': 'python'})
body, _ = MarkdownExporter().from_notebook_node(nb)
(root/'README.md').write_text('<!-- generated from nbs/index.ipynb by tools/readme.py: edit the notebook -->\n\n' + body.strip() + '\n')
print('README.md written')
