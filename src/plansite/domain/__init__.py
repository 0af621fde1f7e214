"""Plain data shared by every stage: sheets, detections, pipe runs, takeoffs."""
