"""Detection: fixtures and pipe runs found on parsed sheets."""
