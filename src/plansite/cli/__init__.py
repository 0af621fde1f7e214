"""Command-line interface: ``plansite analyze``, ``serve``, ``estimate``, ``doctor``."""
