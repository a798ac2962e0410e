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
