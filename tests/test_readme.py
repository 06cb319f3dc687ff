"""The README's commands exist: every `manage.py` command and `make` target it names."""

import re
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def _named(pattern: str) -> list[str]:
    return sorted(set(re.findall(pattern, README)))


@pytest.mark.parametrize("name", _named(r"manage\.py ([a-z_]+)"))
def test_every_manage_py_command_in_the_readme_exists_and_parses_its_help(name):
    commands = get_commands()
    assert name in commands, f"README names manage.py {name}, which does not exist"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    assert parser.format_help()


@pytest.mark.parametrize("target", _named(r"`make ([a-z]+)"))
def test_every_make_target_in_the_readme_exists(target):
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(rf"^{target}:", makefile, re.M), f"README names make {target}"


def test_the_readme_names_its_commands():
    # The patterns above must keep finding them, or the two tests check nothing.
    assert {"seed_demo", "import_network", "surveys_close_due"} <= set(
        _named(r"manage\.py ([a-z_]+)")
    )
    assert {"run", "test", "worker", "beat"} <= set(_named(r"`make ([a-z]+)"))


# Real commits: compute_metrics --wait waits for runs queued on commit.
@pytest.mark.django_db(transaction=True)
def test_start_your_own_program_runs_as_written(monkeypatch):
    """Every command of the README's "Start your own program" block, run in order."""
    import shlex

    from django.core.management import call_command

    from members.models import MemberAttribute, Program
    from tests.factories import UserFactory

    section = README.split("## Start your own program", 1)[1].split("\n## ", 1)[0]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    commands = [shlex.split(line) for line in block.strip().splitlines()]
    assert len(commands) == 4
    UserFactory(username="demo")
    monkeypatch.chdir(ROOT)
    for words in commands:
        assert words[:2] == [".venv/bin/python", "manage.py"]
        call_command(*words[2:])
    program = Program.objects.get(slug="river")
    assert program.members.count() == 5
    assert program.current_round().name == "Year one"
    assert MemberAttribute.objects.filter(program=program, key="office").exists()
