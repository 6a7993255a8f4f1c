"""What `--help` shows for every command, and `fincoach parse` over several files."""

import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from fincoach.cli import _register_commands, app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "emails"


def _command_paths(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and sub-command of a (Typer's own) click group, by its words."""
    paths = []
    for name, command in group.commands.items():
        paths.append((*prefix, name))
        if hasattr(command, "commands"):
            paths += _command_paths(command, (*prefix, name))
    return paths


def test_no_help_shows_a_value_for_a_flag() -> None:
    _register_commands()
    paths = _command_paths(typer.main.get_command(app))
    assert ("sync", "start") in paths and ("demo",) in paths
    for path in [(), *paths]:
        result = CliRunner().invoke(app, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        # `--wait <bool>` reads as if the flag took a value.
        assert "<bool>" not in result.output, (path, result.output)
    result = CliRunner().invoke(app, ["sync", "start", "--help"])
    assert "--wait " in result.output and "--inline " in result.output


def test_parse_takes_several_files_and_reports_an_unreadable_one(tmp_path: Path) -> None:
    _register_commands()
    files = sorted(FIXTURES.glob("africa/mpesa_*.eml"))
    assert len(files) == 2
    empty = tmp_path / "empty.eml"
    empty.write_bytes(b"")

    one = CliRunner().invoke(app, ["parse", str(files[0])])
    assert one.exit_code == 0, one.output
    assert json.loads(one.output)["file"] == str(files[0])  # one file: one (indented) object

    several = CliRunner().invoke(app, ["parse", str(files[0]), str(empty), str(files[1])])
    assert several.exit_code == 2  # one file could not be read, and the others still were
    lines = [line for line in several.output.splitlines() if line.startswith("{")]
    parsed = [json.loads(line) for line in lines]
    assert [p["file"] for p in parsed] == [str(f) for f in files]
    assert all(p["transactions"] for p in parsed)
    assert "cannot read empty.eml: empty message" in several.output
