"""Every recorded table measured on the shipped tiny CLIP names the weights that ship with the package and the data the
world generates now: re-pretraining `tiny-world`, or changing the world's generator, without re-recording the tables
that quote them fails here."""
import json
from metaprompt_nb.backbone import ASSETS, load_clip
from metaprompt_nb.data import DATASETS, load_dataset, content_fingerprint
import metaprompt_nb.world  # noqa: F401  (registers the world's data sets)

def tiny_world_metas() -> dict:
    "file name -> (meta, data sets named by its rows) of every recorded table measured on tiny-world"
    tables = {p.name: json.loads(p.read_text()) for p in sorted((ASSETS/'recorded').glob('*.json'))}
    return {n: (t['meta'], {r['dataset'].split('/')[0] for r in t['rows'] if 'dataset' in r} - {'Average'})
            for n, t in tables.items() if t.get('meta', {}).get('backbone') == 'tiny-world'}

def test_recorded_tables_are_of_the_shipped_weights():
    shipped, metas = load_clip('tiny-world').fingerprint, tiny_world_metas()
    assert metas
    stale = [n for n, (m, _) in metas.items() if m.get('weights') != shipped]
    assert not stale, f"recorded on tiny-world weights other than the shipped ones ({shipped}): {', '.join(stale)}"

def test_recorded_tables_are_of_the_world_generated_now(tmp_path):
    metas = tiny_world_metas()
    unnamed = [f"{n} ({', '.join(sorted(ds - set(m.get('data', {}))))})" for n, (m, ds) in metas.items()
               if not m.get('data') or ds - set(m['data'])]
    assert not unnamed, f"recorded tables without the content hash of their data: {', '.join(unnamed)}"
    now = {}
    for d in sorted({d for m, _ in metas.values() for d in m['data']}):
        load_dataset(d, tmp_path); now[d] = content_fingerprint(tmp_path/DATASETS[d].dir)   # written as on first use
    stale = [f"{n}: {d}" for n, (m, _) in metas.items() for d, h in m['data'].items() if now[d] != h]
    assert not stale, f"recorded on world data other than what the world generates now: {', '.join(stale)}"
