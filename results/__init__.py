"""Aggregated results for the strategy team, computed only from released, anonymised records."""
