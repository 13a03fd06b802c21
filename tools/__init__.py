"""Dev tools: the synthetic-county generator and the benchmark (not in the wheel)."""
