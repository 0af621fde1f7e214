"""Shared fixtures: the corpus location and small drawing files made on the fly."""

from __future__ import annotations

from pathlib import Path

import pytest

from plansite.scoring import corpus_dir


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if not (path / "expected.json").exists():
        pytest.fail(f"corpus not found at {path}; set PLANSITE_CORPUS to its folder")
    return path
