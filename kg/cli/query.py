"""The SPARQL commands: ``kg query``, ``kg publish`` and ``kg serve``.

Registered on the ``kg`` group in kg/cli/main.py; errors are KgError values that
``kg.cli.main.main`` turns into a message and an exit code (2 for usage and input problems).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.cli.util import finished_build
from kg.cli.util import say as _say
from kg.core.errors import UsageError
from kg.core.textsafe import terminal

OUTPUT_FORMATS = ("table", "csv", "tsv", "json", "ttl", "nt")


def _build_dir(ctx: click.Context) -> Path:
    """The project's finished build directory, with a warning when it is stale."""
    return finished_build(ctx).out_dir


def _list(fmt: str) -> None:
    from kg.query.library import load_library

    library = load_library()
    if fmt == "json":
        click.echo(json.dumps([{
            "name": q.name, "title": q.title, "description": q.description, "form": q.form,
            "params": [{"name": p.name, "type": p.type, "required": p.required,
                        "default": p.default, "doc": p.doc} for p in q.params],
        } for q in library.values()], ensure_ascii=False, indent=1))
        return
    for q in library.values():
        click.echo(terminal(f"{q.name}  —  {q.title}"))
        for p in q.params:
            click.echo(terminal(f"    --param {p.signature()}" + (f"  {p.doc}" if p.doc else "")))


@click.command()
@click.argument("name", required=False, metavar="NAME|FILE.rq|-")
@click.option("--param", "params", multiple=True, metavar="NAME=VALUE",
              help="A query parameter (repeatable); see --list for each query's parameters.")
@click.option("--format", "fmt", type=click.Choice(OUTPUT_FORMATS), default="table",
              show_default=True, help="table|csv|tsv|json for SELECT and ASK; ttl|nt for "
              "CONSTRUCT and DESCRIBE (table shows a graph as Turtle).")
@click.option("--endpoint", metavar="URL",
              help="Run on a SPARQL server at this base URL (e.g. http://127.0.0.1:7878) "
              "instead of build/. Credentials only from KG_ENDPOINT_TOKEN or "
              "KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD.")
@click.option("--query-url", metavar="URL", help="The server's query URL, if not <endpoint>/query.")
@click.option("--graph", "graph_iri", default=None, metavar="IRI",
              help="With --endpoint: the named graph `kg publish` wrote (default "
              "https://w3id.org/aigov-kg/graph/all).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=3600), default=30.0,
              show_default=True, help="Time limit in seconds.")
@click.option("--limit", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Row cap: a larger result is an error, never silently cut short.")
@click.option("--max-memory", "memory_mb", type=click.IntRange(min=0), default=1536,
              show_default=True, help="Address-space limit of the query process in MiB "
              "(0 = none; build/ only): a query that needs more is stopped.")
@click.option("--list", "list_queries", is_flag=True,
              help="List the named queries and their parameters (--format json for JSON).")
@click.pass_context
def query(ctx: click.Context, name: str | None, params: tuple[str, ...], fmt: str,
          endpoint: str | None, query_url: str | None, graph_iri: str | None, timeout: float,
          limit: int, memory_mb: int, list_queries: bool) -> None:
    """Run a named SPARQL query (or a .rq file, or - for stdin) on the built graph.

    Parameters are bound as RDF terms, never pasted into the query text. An IRI
    parameter takes a short id (deepseek), a prefixed name (aig:Ban, id:eu) or a full IRI;
    a date is YYYY-MM-DD. SERVICE, LOAD, FROM and updates are refused.

    \b
    Examples:
      kg query --list
      kg query actor-exposures --param actor=deepseek --param asOf=2026-01-01
      kg query actors-exposed-to-risk --param risk=OpenSourceModelRegulationRisk --format csv
      kg query my-question.rq --format json
      kg query actor-exposures --param actor=deepseek --endpoint http://127.0.0.1:7878
    """
    from kg.query.library import resolve
    from kg.sparql.bind import bind, parse_param_options
    from kg.sparql.results import render

    if list_queries:
        _list(fmt)
        return
    if not name:
        raise UsageError("give a query NAME, a FILE.rq or - (see kg query --list)")
    named = resolve(name)
    bindings = bind(named, parse_param_options(params))
    if endpoint or query_url:
        from kg.query import remote

        target = remote.endpoint(endpoint, query_url=query_url)
        result = remote.remote_query(target, named.text, bindings,
                                     graph_iri or remote.DEFAULT_GRAPH, timeout, limit)
    else:
        if graph_iri:
            raise UsageError("--graph: only with --endpoint (build/ is queried as one graph)")
        from kg.query.isolate import run_limited
        from kg.store.oxigraph import open_build

        store = open_build(_build_dir(ctx))
        result = run_limited(store, named.text, bindings, timeout, limit, memory_mb)
    text = render(result, fmt)
    if fmt != "table" and sys.stdout.isatty():  # data formats go out raw, unless to a terminal
        text = terminal(text)
    click.echo(text, nl=False)
    if fmt == "table" and result.form == "SELECT":
        _say(f"{len(result.rows)} row(s)")


@click.command()
@click.option("--endpoint", metavar="URL",
              help="The server's base URL (e.g. http://127.0.0.1:7878); its Graph Store is "
              "<endpoint>/store.")
@click.option("--store-url", metavar="URL", help="The Graph Store URL, if not <endpoint>/store.")
@click.option("--graph", "graph_iri", default="https://w3id.org/aigov-kg/graph/all",
              show_default=True, metavar="IRI", help="The named graph to replace.")
@click.option("--timeout", type=click.FloatRange(min=1, max=3600), default=120.0,
              show_default=True, help="Time limit in seconds.")
@click.pass_context
def publish(ctx: click.Context, endpoint: str | None, store_url: str | None, graph_iri: str,
            timeout: float) -> None:
    """Publish build/ to a SPARQL server: PUT its triples into one named graph.

    The asserted, inferred and derived triples go, as N-Triples, to the server's Graph
    Store (SPARQL 1.1 Graph Store HTTP Protocol). PUT replaces that graph atomically, so
    publishing again never duplicates; other graphs on the server are untouched.
    Credentials only from KG_ENDPOINT_TOKEN or KG_ENDPOINT_USER/KG_ENDPOINT_PASSWORD.

    \b
    Example:
      oxigraph serve --location kg-db --bind 127.0.0.1:7878 &
      kg publish --endpoint http://127.0.0.1:7878
      kg query actor-exposures --param actor=deepseek --endpoint http://127.0.0.1:7878
    """
    from kg.query import remote

    target = remote.endpoint(endpoint, store_url=store_url)
    count = remote.publish(_build_dir(ctx), target, graph_iri, timeout)
    _say(f"published {count:,} triples to <{graph_iri}> at {target.store_url}")


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (keep the loopback default unless you mean it).")
@click.option("--port", type=click.IntRange(0, 65535), default=7878, show_default=True,
              help="Port (0 picks a free one and prints it).")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=3600), default=10.0,
              show_default=True, help="Per-query time limit in seconds (then 503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Result cap in rows or triples (a larger result is 422).")
@click.option("--workers", type=click.IntRange(1, 32), default=2, show_default=True,
              help="Query worker processes, each with its own copy of the graph.")
@click.option("--max-memory", "memory_mb", type=click.IntRange(min=0), default=2048,
              show_default=True, help="Address-space limit per worker in MiB (0 = none); a "
              "query that needs more ends that worker and gets 503.")
@click.option("--max-connections", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="Connections served at once; more get 503 straight away.")
@click.option("--idle-timeout", type=click.FloatRange(min=0.5, max=600), default=10.0,
              show_default=True, help="Seconds a client may take to send its whole request "
              "(and may stay silent) before the connection is closed.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, timeout: float, max_rows: int,
          workers: int, memory_mb: int, max_connections: int, idle_timeout: float) -> None:
    """Serve build/ as a read-only SPARQL 1.1 endpoint, with a query page at /.

    GET or POST /sparql (query=…), as the SPARQL 1.1 Protocol says: SELECT and ASK as
    SPARQL XML, JSON, CSV or TSV, CONSTRUCT and DESCRIBE as Turtle, N-Triples, JSON-LD or
    RDF/XML, by the Accept header or format=json|xml|csv|tsv|turtle|ntriples|jsonld; GET
    /sparql alone is the service description. Updates, SERVICE, LOAD and FROM are
    refused; each query runs in a worker process that is killed at the time limit.

    \b
    Example:
      kg serve --port 7878
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' http://127.0.0.1:7878/sparql
    """
    from kg.server.serve import serve as run_server

    run_server(_build_dir(ctx), host, port, timeout, max_rows, workers, memory_mb or None,
               _say, max_connections=max_connections, idle_timeout=idle_timeout)
