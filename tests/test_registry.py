"""Learners and methods register where they are defined: a method written as one new module appears in the CLI,
the compatibility matrix and the docs' table of methods with no other edit; no method imports another method."""
import ast, contextlib, io, sys
from pathlib import Path
import metaprompt_nb.methods

NEW_METHOD = '''
from dataclasses import dataclass
from metaprompt_nb.training import Callback
from metaprompt_nb.methods.base import MethodConfig, register_method

@register_method('halfgrad', learner='coop', requires={'text'})
@dataclass
class HalfGradConfig(MethodConfig):
    "halves every gradient (a made-up method of the registry test)"
    factor: float = 0.5      # what the gradients are multiplied by
    def callbacks(self): return [HalfGrad(self.factor)]

class HalfGrad(Callback):
    def __init__(self, factor): self.factor = factor
    def after_backward(self, tr): tr.set_grads({n: g * self.factor for n, g in tr.grads().items()})
'''

def test_new_method_module_appears_everywhere(tmp_path):
    (tmp_path/'halfgrad.py').write_text(NEW_METHOD)
    metaprompt_nb.methods.__path__.append(str(tmp_path))          # as if exported from nbs/methods/NN_halfgrad.ipynb
    try:
        from metaprompt_nb.methods.base import methods, compatibility, methods_table
        from metaprompt_nb.cli import main
        assert 'halfgrad' in methods()
        assert compatibility()['halfgrad'] == {'cocoop': True, 'coop': True, 'dpt': True, 'ivlp': True, 'maple': True, 'vpt': False}
        assert '| `halfgrad` | halves every gradient' in methods_table()
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit): main(['train', '--method', 'halfgrad', '--help'])
        assert 'method halfgrad:\n    factor=0.5  what the gradients are multiplied by' in out.getvalue()
        assert '  halfgrad    halves every gradient' in out.getvalue()
    finally:
        metaprompt_nb.methods.__path__.remove(str(tmp_path))
        from metaprompt_nb.methods.base import METHODS
        METHODS.pop('halfgrad', None); sys.modules.pop('metaprompt_nb.methods.halfgrad', None)

def test_no_method_imports_another():
    folder = Path(metaprompt_nb.methods.__file__).parent
    names = {p.stem for p in folder.glob('*.py')} - {'__init__', 'base'}
    for p in folder.glob('*.py'):
        for node in ast.walk(ast.parse(p.read_text())):
            if isinstance(node, ast.ImportFrom):
                mod = (node.module or '').split('.')[-1]
                assert not (mod in names and mod != p.stem), f"{p.name} imports the method module {node.module}"

def test_wheel_holds_the_subpackages():
    "The learners/ and methods/ subpackages are packaged (a wheel without them would register nothing)"
    import tomllib
    from setuptools import find_packages
    root = Path(__file__).resolve().parent.parent
    cfg = tomllib.loads((root/'pyproject.toml').read_text())['tool']['setuptools']['packages']['find']
    found = find_packages(str(root), include=cfg['include'])
    assert {'metaprompt_nb', 'metaprompt_nb.learners', 'metaprompt_nb.methods'} <= set(found), found
