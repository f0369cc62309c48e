"""Engines behind small interfaces: reasoners (fast, owlrl) and SHACL validators (native,
pySHACL). :mod:`~kg.pipeline.engines.base` defines the protocols, ``registry`` names the
adapters; tests/test_engines.py runs every adapter of a protocol on the same fixtures.
"""
