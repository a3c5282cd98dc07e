"""The scheduling recipes parse: cron line, systemd units, GitHub Actions workflow."""
from __future__ import annotations

import configparser
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHED = ROOT / "scheduling"
CRON_FIELD = r"^(\*|\d+(-\d+)?)(/\d+)?(,(\*|\d+(-\d+)?)(/\d+)?)*$"


def cron_lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def check_cron(expr: str) -> None:
    import re

    fields = expr.split()
    assert len(fields) == 5, expr
    limits = [(0, 59), (0, 23), (1, 31), (1, 12), (0, 7)]
    for f, (lo, hi) in zip(fields, limits):
        assert re.match(CRON_FIELD, f), f
        for n in map(int, re.findall(r"\d+", f.split("/")[0])):
            assert lo <= n <= hi, expr


def test_crontab_line():
    [line] = cron_lines((SCHED / "crontab").read_text(encoding="utf-8"))
    parts = line.split(None, 5)
    check_cron(" ".join(parts[:5]))
    assert "tourmap publish" in parts[5] and "%" not in parts[5]  # cron turns % into newlines


def test_github_workflow():
    wf = yaml.safe_load((SCHED / "github-workflow.yml").read_text(encoding="utf-8"))
    on = wf[True] if True in wf else wf["on"]  # YAML 1.1 reads the key `on` as true
    crons = [s["cron"] for s in on["schedule"]]
    assert crons
    for c in crons:
        check_cron(c)
    steps = wf["jobs"]["publish"]["steps"]
    assert any("tourmap publish" in s.get("run", "") for s in steps)
    assert not (ROOT / ".github" / "workflows" / "github-workflow.yml").exists()


def units() -> tuple[Path, Path]:
    return SCHED / "tourmap-publish.service", SCHED / "tourmap-publish.timer"


def test_systemd_units_parse():
    service, timer = units()
    for unit in units():
        cp = configparser.ConfigParser(strict=True, interpolation=None)
        cp.optionxform = str
        cp.read_string(unit.read_text(encoding="utf-8"))
        assert "Unit" in cp
    svc = configparser.ConfigParser(interpolation=None)
    svc.optionxform = str
    svc.read_string(service.read_text(encoding="utf-8"))
    assert svc["Service"]["Type"] == "oneshot" and "tourmap publish" in svc["Service"]["ExecStart"]
    assert svc["Service"]["SuccessExitStatus"] == "75"
    tm = configparser.ConfigParser(interpolation=None)
    tm.optionxform = str
    tm.read_string(timer.read_text(encoding="utf-8"))
    assert tm["Timer"]["Unit"] == service.name and tm["Install"]["WantedBy"] == "timers.target"


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_analyze_verify(tmp_path):
    service, timer = units()
    exe = ROOT / ".venv" / "bin" / "tourmap"
    # verify checks that ExecStart exists: point it at this checkout's tourmap
    (tmp_path / service.name).write_text(
        service.read_text(encoding="utf-8").replace("/opt/tourmap/.venv/bin/tourmap", str(exe)), encoding="utf-8")
    shutil.copy(timer, tmp_path / timer.name)
    res = subprocess.run(["systemd-analyze", "verify", str(tmp_path / service.name), str(tmp_path / timer.name)],
                         capture_output=True, text=True, timeout=60)
    problems = [ln for ln in res.stderr.splitlines() if "tourmap-publish" in ln]
    assert res.returncode == 0 and not problems, res.stderr
