"""Scoring criteria trees: the pure engine (`engine`) and the `parindex assessment` command."""
