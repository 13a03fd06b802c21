"""Sunlight (阳光公开): validate village clerks' disclosure records and publish them."""

__version__ = "0.1.0"
