"""Publish estimating figures to the service's Prometheus registry when it is installed.

``estimate_accuracy_score`` is the agreement of the latest reviewed plan set with its
machine takeoff, and ``fixture_detection_confidence`` the mean detection confidence of the
latest estimated takeoff; alert rules in ``monitoring/`` watch both. The per-detection
confidences go to the ``fixture_detection_confidence_ratio`` histogram, labelled by method.
Without ``plansite.observability`` (a slim install) these calls do nothing.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

try:
    from plansite.observability import metrics as _metrics
except ImportError:  # pragma: no cover - slim installs without the service
    _metrics = None


def record_accuracy(score: float) -> None:
    if _metrics is not None:
        _metrics.ESTIMATE_ACCURACY.set(score)


def record_confidence(takeoff: dict[str, Any]) -> None:
    """Set the mean confidence gauge and observe each detection in the histogram."""
    if _metrics is None:
        return
    detections = takeoff.get("detections", [])
    if not detections:
        return
    known = set(getattr(_metrics, "DETECTION_METHODS", ()))
    total = 0.0
    for det in detections:
        value = float(det.get("confidence", 0.0))
        total += value
        method = det.get("method", "other")
        _metrics.FIXTURE_CONFIDENCE.labels(method if method in known else "other").observe(value)
    _metrics.FIXTURE_DETECTION_CONFIDENCE.set(total / len(detections))


def record_error() -> None:
    if _metrics is not None:
        _metrics.ESTIMATION_ERRORS.inc()
