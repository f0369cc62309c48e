"""aigov-kg: a knowledge graph of the governance risks AI companies meet when they go abroad.

Importing ``kg`` does nothing but define things; heavy dependencies (owlrl, pyshacl,
networkx, pyvis) are imported by the modules that need them.
"""

__version__ = "0.2.0"  # the one place the version is kept (pyproject reads it)
