"""Shared test settings: where things are. Fixtures of one area live in that area's test files."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_ef3bafede1ed9db9.txt"
TOURMAP = ROOT / ".venv" / "bin" / "tourmap"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED
