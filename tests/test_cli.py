"""The CLI shell: help with examples, exit codes, one-line errors."""
from __future__ import annotations

import sys
from pathlib import Path

from click.testing import CliRunner

import tourmap
from tourmap.cli import cli

sys.path.insert(0, str(Path(__file__).resolve().parent / "data" / "merge"))
import fakes  # noqa: E402


def test_every_command_has_help_with_an_example():
    runner = CliRunner()
    for name, cmd in cli.commands.items():
        res = runner.invoke(cli, [name, "--help"])
        assert res.exit_code == 0, name
        assert "Example:" in res.output and f"tourmap {name}" in res.output, name


def test_version_and_usage_errors():
    runner = CliRunner()
    res = runner.invoke(cli, ["--version"])
    assert (res.exit_code, res.output) == (0, f"tourmap, version {tourmap.__version__}\n")
    assert runner.invoke(cli, ["nope"]).exit_code == 2
    assert runner.invoke(cli, ["build", "--nope"]).exit_code == 2
    assert runner.invoke(cli, ["extract"]).exit_code == 2
    res = runner.invoke(cli, ["extract", "x.txt", "--published", "21/12/2025"])
    assert res.exit_code == 2 and "'21/12/2025' is not a date of the form YYYY-MM-DD" in res.output


def test_unexpected_failure_is_one_line(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("something odd\nsecond line")

    monkeypatch.setattr("tourmap.pipeline.extract_one", boom)
    fakes.write_article(tmp_path, "a.md", traveler="X", published="2025-01-01", stops=[])
    res = CliRunner().invoke(cli, ["build", str(tmp_path), "-o", str(tmp_path / "out"), "-j", "1"])
    assert res.exit_code == 1
    assert res.stderr == ("Error: internal error: RuntimeError: something odd "
                          "(set TOURMAP_DEBUG=1 for details)\n")
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_publish_help_lists_exit_codes():
    res = CliRunner().invoke(cli, ["publish", "--help"])
    assert "75 another run holds the lock" in res.output


def test_console_script_exit_codes_and_a_reader_that_goes_away(tmp_path):
    """The installed command ends without interpreter teardown: its output is still complete,
    its exit codes are click's, and a reader that closes the pipe early gets no traceback."""
    import subprocess

    seed = Path(__file__).resolve().parent.parent / "seeds" / "000_ef3bafede1ed9db9.txt"
    cmd = [sys.executable, "-m", "tourmap.cli"]
    full = subprocess.run(cmd + ["extract", str(seed), "--format", "json"], capture_output=True, text=True)
    assert full.returncode == 0 and full.stdout.rstrip().endswith("}") and full.stderr == ""
    assert subprocess.run(cmd + ["extract", str(tmp_path / "missing.txt")], capture_output=True).returncode == 1
    assert subprocess.run(cmd + ["no-such-command"], capture_output=True).returncode == 2
    pipe = subprocess.run(f"{' '.join(cmd)} extract {seed} --format json | head -c 10", shell=True,
                          capture_output=True, text=True)
    assert pipe.stdout == full.stdout[:10] and "Traceback" not in pipe.stderr
