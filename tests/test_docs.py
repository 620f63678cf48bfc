"""Every command has help, and the README documents every command and front matter field."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, run_cli

from castnotes.cli.main import main
from castnotes.read.show import FRONT_MATTER_KEYS

README = (REPO / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_command_has_help(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    assert main.commands[command].help, f"{command} has no docstring"


@pytest.mark.parametrize("command", COMMANDS)
def test_command_is_in_readme(command: str) -> None:
    assert re.search(rf"castnotes (\[[^\]]*\] )?{command}\b", README), f"README does not show `castnotes {command}`"


@pytest.mark.parametrize("option", sorted({
    opt for command in main.commands.values() for param in command.params for opt in param.opts
    if opt.startswith("--") and opt != "--help"}))
def test_option_is_in_readme(option: str) -> None:
    assert option in README, f"README does not mention {option}"


@pytest.mark.parametrize("key", FRONT_MATTER_KEYS)
def test_front_matter_key_is_in_readme(key: str) -> None:
    assert re.search(rf"^\s*`?{key}`?\s*[:|]", README, re.M) or f"`{key}`" in README, \
        f"README does not document front matter key {key!r}"


def test_readme_test_command_is_what_ci_runs() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    match = re.search(r"```sh\n# tests\n(.+?)\n```", README, re.S)
    assert match, "README has no ```sh block starting with '# tests'"
    assert match.group(1).strip() in ci
