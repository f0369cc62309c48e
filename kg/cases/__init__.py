"""Extending and using the graph for a company: new-case scaffolds, diffs, profiles and screening.
"""
