"""The HTTP API of PlanSiteOS: ``create_app(settings)`` in ``app.py``, one router per
service that will own its routes in the distributed layout."""
