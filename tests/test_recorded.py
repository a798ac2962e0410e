"""Every recorded table measured on the shipped tiny CLIP names the weights that ship with the package: re-pretraining
`tiny-world` without re-recording the tables that quote it fails here."""
import json
from metaprompt_nb.backbone import ASSETS, load_clip

def test_recorded_tables_are_of_the_shipped_weights():
    shipped = load_clip('tiny-world').fingerprint
    metas = {p.name: json.loads(p.read_text()).get('meta', {}) for p in sorted((ASSETS/'recorded').glob('*.json'))}
    assert any(m.get('backbone') == 'tiny-world' for m in metas.values())
    stale = [n for n, m in metas.items() if m.get('backbone') == 'tiny-world' and m.get('weights') != shipped]
    assert not stale, f"recorded on tiny-world weights other than the shipped ones ({shipped}): {', '.join(stale)}"
