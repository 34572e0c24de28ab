"""Synthetic SSDA903 data: simulated children's care histories cut into council extracts."""

from synthetic.generator import generate

__all__ = ["generate"]
