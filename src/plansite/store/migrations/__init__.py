"""Alembic migration scripts of the PlanSiteOS database (run by ``store/migrate.py``)."""
