"""The worker's child-process analysis: results and refusals come back, a runaway stops."""

from __future__ import annotations

import pytest
from api_harness import DXF, corpus_file

from plansite.api.analysis_process import AnalysisFailed, analyze_in_child


def test_refusal_names_the_file_and_keeps_its_code(tmp_path) -> None:
    empty = tmp_path / "blob"
    empty.write_bytes(b"")
    with pytest.raises(AnalysisFailed) as caught:
        analyze_in_child(empty, "plan.pdf", False, lambda *a: None)
    assert caught.value.code == "empty_file"
    assert caught.value.message.startswith("plan.pdf: ")


def test_runaway_analysis_is_stopped(tmp_path) -> None:
    with pytest.raises(AnalysisFailed) as caught:
        analyze_in_child(corpus_file(DXF), DXF, False, lambda *a: None, timeout_s=0.0)
    assert caught.value.code == "analysis_timeout"
    assert "PLANSITE_JOB_TIMEOUT_S" in caught.value.message
