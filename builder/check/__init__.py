"""Checks: records (and what they inherit) in, problems out."""
