"""The graph views of ``kg viz``: exposure paths and the ontology as interactive HTML, SVG
and PNG.

- viz: the entry points: a view of a build, and a view rendered to bytes.
- model: the view model (graph, paths) and the exposure views built from exposure records.
- ontology: the ontology view (classes, subclass links, object properties).
- layout: centrality and the deterministic layered layout.
- payload: the page data (nodes, edges, paths as JSON-able data) the HTML and SVG show.
- html: the self-contained HTML page (vis-network and assets/app.js inlined, under a CSP).
- svg: the view drawn as standalone SVG.
- png: the SVG figure rasterised in headless Chromium, and the PNG signature.
- words: the bilingual words, colours and shapes of the views (a table).
"""
