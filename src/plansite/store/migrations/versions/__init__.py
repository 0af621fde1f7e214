"""One module per schema change, chained by ``down_revision``."""
