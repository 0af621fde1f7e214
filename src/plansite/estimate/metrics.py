"""Publish estimating figures to the service's Prometheus registry when it is installed.

``estimate_accuracy_score`` is the agreement of the latest reviewed plan set with its
machine takeoff, and ``fixture_detection_confidence`` the mean detection confidence of the
latest estimated takeoff; alert rules in ``monitoring/`` watch both. Each detection's own
confidence is observed once, when the worker analyses the file, in the
``fixture_detection_confidence_ratio`` histogram; pricing a takeoff again must not count
its detections twice, so only the gauge is set here. Without ``plansite.observability``
(a slim install) these calls do nothing.
"""

from __future__ import annotations

from typing import Any

try:
    from plansite.observability import metrics as _metrics
except ImportError:  # pragma: no cover - slim installs without the service
    _metrics = None


def record_accuracy(score: float) -> None:
    if _metrics is not None:
        _metrics.ESTIMATE_ACCURACY.set(score)


def record_confidence(takeoff: dict[str, Any]) -> None:
    """Set the mean detection confidence of the takeoff being priced."""
    if _metrics is None:
        return
    detections = takeoff.get("detections", [])
    if detections:
        mean = sum(float(d.get("confidence", 0.0)) for d in detections) / len(detections)
        _metrics.FIXTURE_DETECTION_CONFIDENCE.set(mean)


def record_error() -> None:
    if _metrics is not None:
        _metrics.ESTIMATION_ERRORS.inc()
