"""Parsing: files in, ``Sheet`` artifacts out, one page or layout at a time."""
