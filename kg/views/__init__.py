"""What people read: graph views (HTML, SVG, PNG), explanations, statistics and the ontology
docs.

- graph/: the graph views (``kg viz``): model, layout, HTML, SVG, PNG, their words.
- explain: exposure paths printed step by step.
- stats: the counts curation targets are judged by.
- docs: the ontology as an HTML page and a Markdown data dictionary.
- terminal: plain-text tables for the terminal.
"""
