"""PlanSiteOS: turn a plumbing plan set into a checked takeoff and a priced bid."""

__version__ = "0.1.0"
