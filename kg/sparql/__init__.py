"""SPARQL text, below the pipeline: the query-file format, the guard, parameters as RDF
terms and the W3C result formats. Running queries on a store is :mod:`kg.query`'s.
"""
