"""The SPARQL 1.1 Protocol server (`kg serve`).

- serve: the entry point, ``serve()`` (defaults, start-up, shut-down).
- http: the threaded HTTP server and request handler (routes, Host check, connection cap).
- protocol: replies, the dataset a request names, the 406 answer, the Service Description.
- formats: the answer formats, content negotiation and the SPARQL XML / RDF/XML writers.
- workers: the child processes that run queries, killed at the time limit.
- page: the query page at ``/`` (assets/page.css and page.js, inlined under a CSP).
"""
