"""Sphinx configuration of the fallback docs site (no Quarto): `python tools/build_docs.py` builds `_build/html`
from the notebooks that `tools/docs_prep.py` writes to `_build/docs_src`."""
from nbdev.config import get_config

_cfg = get_config()
project = _cfg.lib_name
author = 'metaprompt_nb developers'
copyright = '2026, metaprompt_nb developers'
extensions = ['myst_nb']
root_doc = 'index'
exclude_patterns = ['**.ipynb_checkpoints']

nb_execution_mode = 'off'              # pages show the notebooks' stored outputs (`nbdev-test --save` stores them)
nb_render_markdown_format = 'myst'     # show_doc's text/markdown outputs are parsed as MyST
myst_enable_extensions = ['dollarmath', 'amsmath', 'attrs_inline']
suppress_warnings = ['myst.header']    # notebooks go H1 -> H3 (show_doc headings) on purpose

html_theme = 'sphinx_book_theme'
html_title = project
html_theme_options = {
    'repository_url': _cfg.git_url,
    'repository_branch': _cfg.branch,
    'use_repository_button': True,
    'show_toc_level': 2,
}
html_static_path = ['_static']
mathjax_path = 'mathjax/tex-svg-full.js'   # MathJax 3.2.2 from npm (`npm pack mathjax@3`), served locally: no CDN
