"""Querying the built graph: named and ad-hoc SPARQL, the embedded and remote stores, export."""
