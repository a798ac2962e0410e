"The README's two commands are the ones CI and users run."
import re
from pathlib import Path

root = Path(__file__).resolve().parent.parent
commands = re.findall(r'```sh\n(.+?)\n```', (root/'README.md').read_text())

def test_two_commands():
    assert len(commands) == 2, commands
    main, tests = commands
    assert 'pip install -e .' in main and 'metaprompt_nb ' in main
    assert tests.endswith('pytest')

def test_ci_runs_readme_test_command_verbatim():
    assert commands[1] in (root/'.ci'/'run').read_text().splitlines()

def test_main_command_runs(tmp_path):
    "The `metaprompt_nb` part of command (1), verbatim, in a scratch folder: prints the table, writes table and plot"
    import shlex, subprocess
    cmd = commands[0].split('&& ', 3)[-1]
    assert cmd.startswith('metaprompt_nb ')
    r = subprocess.run(shlex.split(cmd), cwd=tmp_path, capture_output=True, text=True, timeout=1200)
    assert r.returncode == 0, r.stdout + r.stderr
    out = tmp_path/'runs'/'reproduce'/'base2new'
    assert (out/'table.md').is_file() and (out/'base_new.png').is_file()
    assert '| kgcoop | Average |' in r.stdout or '| kgcoop |' in r.stdout, r.stdout
