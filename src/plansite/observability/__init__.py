"""Metrics, health checks and structured logs for every PlanSiteOS process.

``install(app, ...)`` wires the HTTP middleware and the ``/metrics``, ``/health`` and
``/ready`` routes into an ASGI app; the worker and the estimating code import the metric
objects from ``plansite.observability.metrics`` directly.
"""

from plansite.observability.http import install

__all__ = ["install"]
