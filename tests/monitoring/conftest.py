"""Fixtures of the monitoring tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from monitoring_helpers import Proc


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    """Processes started by a test, all stopped (by pid) when it ends."""
    started: list[Proc] = []
    yield started
    for proc in reversed(started):
        proc.stop()
