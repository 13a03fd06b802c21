"""The disclosure format: record declarations, problem kinds, charts of accounts, published schemas."""
