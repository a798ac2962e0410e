"""The docs site builds (Sphinx, `-W`) and, in headless Chromium with no network, its pages show typeset math,
the stored matplotlib plots, the navigation and search. Screenshots go to `_build/screenshots/`."""
import functools, os, re, shutil, subprocess, sys, tempfile, threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.util import find_spec
from pathlib import Path
import pytest

root = Path(__file__).resolve().parent.parent
SITE, SHOTS = root/'_build'/'html', root/'_build'/'screenshots'
PREFERRED = 'zeroshot.html'   # nbs/03_zeroshot.ipynb: display math and a stored plot (when its outputs are stored)
REQUIRED = bool(os.environ.get('CI'))   # CI fails where a user's machine skips (no docs extra, no Chromium)

def _need(ok, why):
    if not ok: (pytest.fail if REQUIRED else pytest.skip)(why)

def _chromium():
    for name in (os.environ.get('CHROMIUM', ''), 'chromium', 'chromium-browser', 'google-chrome'):
        if name and shutil.which(name): return shutil.which(name)

@pytest.fixture(scope='module')
def site():
    "Build the site with the documented command"
    _need(find_spec('myst_nb') and find_spec('sphinx_book_theme'), 'docs extra missing: pip install -e ".[docs]"')
    r = subprocess.run([sys.executable, 'tools/build_docs.py'], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, f'docs build failed:\n{r.stdout}\n{r.stderr}'
    return SITE

class _Log(SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
    def log_request(self, code='-', size='-'): self.server.hits.append((self.path.split('?')[0], int(code)))

@pytest.fixture(scope='module')
def server(site):
    "The site on 127.0.0.1, a free port; `.hits` records (path, status)"
    srv = ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(_Log, directory=str(site)))
    srv.hits = []
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown(); srv.server_close()

@pytest.fixture(scope='module')
def browse(server):
    "browse(page, shot=None, height) -> the DOM after scripts ran (virtual time); or write a screenshot PNG to `shot`"
    exe = _chromium()
    _need(exe, 'no Chromium: apt-get install -y chromium')
    def _run(page, shot=None, height=1600):
        if shot: Path(shot).parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as prof:
            mode = [f'--screenshot={shot}', f'--window-size=1280,{height}'] if shot else ['--dump-dom']
            cmd = [exe, '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                   '--disable-component-update', '--no-first-run', '--disable-sync', '--hide-scrollbars',
                   f'--user-data-dir={prof}', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
                   '--virtual-time-budget=15000', *mode, f'http://127.0.0.1:{server.server_port}/{page}']
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr[-2000:]
        return r.stdout
    return _run

def _png_size(p):
    "(width, height) from a PNG's IHDR chunk"
    b = Path(p).read_bytes()
    assert b[:8] == b'\x89PNG\r\n\x1a\n', f'{p} is not a PNG'
    return int.from_bytes(b[16:20], 'big'), int.from_bytes(b[20:24], 'big')

def _math_and_plots(html):
    "(display equations, all equations, plot images) of a built page"
    return (len(re.findall(r'<div class="math notranslate nohighlight">', html)),
            len(re.findall(r'class="math notranslate nohighlight"', html)),
            re.findall(r'<img[^>]+src="(_images/[^"]+\.png)"', html))

def _page_with_math_and_plot(site):
    "The preferred page, else the first top-level page with display math and a stored plot"
    for p in [site/PREFERRED, *sorted(site.glob('*.html'))]:
        display, _, imgs = _math_and_plots(p.read_text()) if p.exists() else (0, 0, [])
        if display and imgs: return p.name

def test_page_shows_math_and_plot(site, server, browse):
    page = _page_with_math_and_plot(site)
    assert page, 'no page has display math and a stored plot: store outputs, `nbdev-test nbs/X.ipynb --save && nbdev-clean`'
    html = (site/page).read_text()
    _, n_math, imgs = _math_and_plots(html)
    assert all(min(_png_size(site/i)) > 50 for i in imgs)
    dom = browse(page)
    assert dom.count('<mjx-container') >= n_math, 'MathJax did not typeset every equation'
    assert 'display="true"' in dom and '<mjx-merror' not in dom, 'no display equation, or a TeX error'
    assert all(f'src="{i}"' in dom for i in imgs)
    assert all((f'/{i}', 200) in server.hits for i in imgs), 'the browser did not load the plot'
    assert ('/_static/mathjax/tex-svg-full.js', 200) in server.hits
    assert not [h for h in server.hits if h[1] >= 400 and h[0] != '/favicon.ico'], server.hits
    shot = SHOTS/page.replace('.html', '.png')
    browse(page, shot, height=12_000)   # the whole page: headless Chromium paints nothing after a jump to an #anchor
    assert _png_size(shot) == (1280, 12_000) and shot.stat().st_size > 100_000   # a blank one is a few KB

def test_index_navigation_and_search(site, browse):
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob('*.html')
                   if p.name not in ('index.html', 'search.html', 'genindex.html') and '_static' not in p.parts)
    browse('index.html', SHOTS/'index.png')
    assert _png_size(SHOTS/'index.png') == (1280, 1600)
    dom = browse('index.html')
    nav = dom[dom.index('bd-docs-nav'):]
    assert all(f'href="{p}"' in nav for p in pages), 'a page is missing from the sidebar'
    results = browse('search.html?q=harmonic')
    assert re.search(r'href="[^"]*zeroshot\.html', results[results.index('search-results'):]), 'search found nothing'
