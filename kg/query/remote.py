"""The remote engine path: publish the built graph to a SPARQL 1.1 server and run the
named queries there.

- :func:`publish` PUTs the N-Triples of asserted + inferred + derived to the server's
  Graph Store endpoint, ``<store>?graph=<iri>``; PUT replaces that one named graph, so
  re-publishing never duplicates and other graphs stay as they are.
- :func:`remote_query` sends a query over the SPARQL 1.1 Protocol with
  ``default-graph-uri=<iri>``, so the published graph is the query's default graph, as
  the union of graphs is on the embedded store (``kg serve`` takes it too: its
  ``…/graph/all`` is that union). Parameters are bound by a ``VALUES`` block injected
  at the start of the WHERE group (:func:`kg.sparql.bind.inject_values`), since SEP-0007
  substitution is not part of the protocol.

Plain ``urllib``; only http(s) URLs; redirects are refused (they could carry credentials
elsewhere). Credentials come from the environment only: ``KG_ENDPOINT_TOKEN`` (bearer) or
``KG_ENDPOINT_USER`` / ``KG_ENDPOINT_PASSWORD`` (basic), and are never sent over plain
http to a host that is not this machine.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message as HTTPMessage
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from kg.core.errors import KgError, UsageError
from kg.core.textsafe import terminal
from kg.query.run import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, ResultTooLarge, with_time_limit
from kg.sparql.bind import inject_values, parse_iri
from kg.sparql.guard import check_query
from kg.sparql.results import Result, Term, sort_triples, term_from_json, to_ntriples

DEFAULT_GRAPH = "https://w3id.org/aigov-kg/graph/all"
MAX_RESPONSE_BYTES = 64 * 1024 * 1024
_SELECT_ACCEPT = "application/sparql-results+json"
_GRAPH_ACCEPT = "application/n-triples"


class RemoteError(KgError):
    """The server could not be reached, or answered with an error."""


def check_graph_iri(value: str, option: str = "--graph") -> str:
    """A graph IRI from the command line, checked before anything is sent: a usage error
    (exit 2) when it is not one (``>``, a space, no scheme)."""
    try:
        return parse_iri(value, option).value
    except ValueError as exc:
        raise UsageError(terminal(str(exc))) from None


@dataclass(frozen=True)
class Endpoint:
    """Where the server answers queries (SPARQL Protocol) and takes graphs (Graph Store)."""

    query_url: str | None
    store_url: str | None


def endpoint(base: str | None = None, query_url: str | None = None,
             store_url: str | None = None) -> Endpoint:
    """The endpoint URLs: explicit ones win; otherwise Oxigraph's layout under ``base``
    (``/query`` and ``/store``)."""
    if base is None and query_url is None and store_url is None:
        raise UsageError("--endpoint: give the server's base URL (e.g. http://127.0.0.1:7878)"
                         " or --query-url / --store-url")
    root = _check_url(base, "--endpoint").rstrip("/") if base else None
    return Endpoint(
        _check_url(query_url, "--query-url") if query_url else (f"{root}/query" if root else None),
        _check_url(store_url, "--store-url") if store_url else (f"{root}/store" if root else None),
    )


_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f<>\"{}|\\^`]")


def _check_url(url: str, option: str) -> str:
    """An http(s) URL with a host, checked before anything is sent: one that urllib could
    not open (``http://[::1``, a port over 65535, a space or a control character) is a
    usage error, never an internal one."""
    shown = terminal(url)
    bad = _URL_FORBIDDEN.search(url.strip())
    if bad:
        raise UsageError(f"{option}: '{shown}' is not a valid URL: it contains {bad.group()!r}")
    try:
        parts = urllib.parse.urlsplit(url.strip())
        host, _port = parts.hostname, parts.port  # both raise ValueError when malformed
    except ValueError as exc:
        raise UsageError(f"{option}: '{shown}' is not a valid URL ({exc})") from None
    if parts.scheme not in ("http", "https") or not host:
        raise UsageError(f"{option}: '{shown}' is not an http(s) URL")
    if parts.username or parts.password:
        raise UsageError(f"{option}: put credentials in KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD"
                         " or KG_ENDPOINT_TOKEN, not in the URL")
    if parts.fragment:
        raise UsageError(f"{option}: '{shown}' has a #fragment")
    return url.strip()


def _is_local(url: str) -> bool:
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_headers(url: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The Authorization header the environment asks for, if any."""
    env = os.environ if environ is None else environ
    token = env.get("KG_ENDPOINT_TOKEN")
    user = env.get("KG_ENDPOINT_USER")
    if not token and not user:
        return {}
    if urllib.parse.urlsplit(url).scheme != "https" and not _is_local(url):
        raise UsageError(f"refusing to send credentials over plain http to {url}; use https")
    if token:
        return {"Authorization": f"Bearer {token}"}
    password = env.get("KG_ENDPOINT_PASSWORD", "")
    pair = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return {"Authorization": f"Basic {pair}"}


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: HTTPMessage, newurl: str) -> urllib.request.Request | None:
        raise RemoteError(f"{req.full_url}: the server redirected to {newurl}; give that URL")


_OPENER = urllib.request.build_opener(_NoRedirect)


def _send(request: urllib.request.Request, timeout: float) -> tuple[int, str, bytes]:
    for name, value in auth_headers(request.full_url).items():
        request.add_unredirected_header(name, value)
    request.add_header("User-Agent", "aigov-kg")
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
            if len(body) > MAX_RESPONSE_BYTES:
                raise ResultTooLarge(f"{request.full_url}: the response is larger than "
                                        f"{MAX_RESPONSE_BYTES // (1024 * 1024)} MiB")
            return response.status, response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as exc:
        detail = exc.read(2000).decode("utf-8", "replace").strip()
        raise RemoteError(f"{request.full_url}: HTTP {exc.code} {exc.reason}"
                          + (f": {detail}" if detail else "")) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise RemoteError(f"cannot reach {request.full_url}: {reason}") from None
    except (http.client.HTTPException, ValueError) as exc:  # a broken answer, a bad URL
        raise RemoteError(f"{request.full_url}: {type(exc).__name__}: {exc}") from None


# --------------------------------------------------------------------------- publish


def union_ntriples(build_dir: Path) -> tuple[bytes, int]:
    """The asserted, inferred and derived graphs of a build as one N-Triples document
    (each triple once, sorted) and the number of triples."""
    from kg.store.built import Built

    path = Built.graph_file(build_dir)
    triples = {ox.Triple(q.subject, q.predicate, q.object)
               for q in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)}
    return to_ntriples(triples).encode("utf-8"), len(triples)


def publish(build_dir: Path, target: Endpoint | str, graph_iri: str = DEFAULT_GRAPH,
            timeout: float = 120.0) -> int:
    """PUT the built graph into the named graph ``graph_iri`` (replacing what was there);
    the number of triples sent. ``target`` is an :class:`Endpoint` or a base URL."""
    target = endpoint(target) if isinstance(target, str) else target
    if not target.store_url:
        raise UsageError("--store-url: no Graph Store URL to publish to")
    graph = check_graph_iri(graph_iri, "--graph")
    body, count = union_ntriples(build_dir)
    separator = "&" if urllib.parse.urlsplit(target.store_url).query else "?"
    url = f"{target.store_url}{separator}graph={urllib.parse.quote(graph, safe='')}"
    request = urllib.request.Request(url, data=body, method="PUT",
                                     headers={"Content-Type": "application/n-triples"})
    status, _type, _body = _send(request, timeout)
    if status not in (200, 201, 204):
        raise RemoteError(f"{url}: unexpected HTTP {status} to PUT")
    return count


# --------------------------------------------------------------------------- query


def remote_query(target: Endpoint | str, text: str,
                 bindings: Mapping[str, Term] | None = None,
                 graph_iri: str | None = DEFAULT_GRAPH,
                 timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS
                 ) -> Result:
    """Run a (guarded) query on the server over ``graph_iri`` (None: the server's own
    dataset), parameters bound by VALUES, and read the answer into the same
    :class:`kg.sparql.results.Result` the embedded store gives. ``target`` is an :class:`Endpoint`
    or a base URL."""
    target = endpoint(target) if isinstance(target, str) else target
    if not target.query_url:
        raise UsageError("--query-url: no query URL to send the query to")
    form = check_query(text)
    final = inject_values(text, bindings or {})
    check_query(final)
    fields = [("query", final)]
    if graph_iri is not None:
        fields.append(("default-graph-uri", check_graph_iri(graph_iri, "--graph")))
    data = urllib.parse.urlencode(fields).encode()
    accept = _GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else _SELECT_ACCEPT
    request = urllib.request.Request(
        target.query_url, data=data, method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
    _status, content_type, body = with_time_limit(lambda: _send(request, timeout), timeout)
    if form in ("CONSTRUCT", "DESCRIBE"):
        return _graph_result(form, body, max_rows)
    if "json" not in content_type:
        raise RemoteError(f"{target.query_url}: expected SPARQL JSON results, got "
                          f"'{content_type or 'no content type'}'")
    return parse_json_results(body, max_rows)


def remote_select(target: Endpoint | str, text: str,
                  bindings: Mapping[str, Term] | None = None,
                  graph_iri: str | None = DEFAULT_GRAPH,
                  timeout: float = DEFAULT_TIMEOUT, max_rows: int = DEFAULT_MAX_ROWS
                  ) -> list[dict[str, Term]]:
    """The rows of a SELECT query run on the server, as dicts of bound variables."""
    result = remote_query(target, text, bindings, graph_iri, timeout, max_rows)
    if result.form != "SELECT":
        raise UsageError(f"remote_select: a {result.form} query has no rows")
    return [{var: term for var, term in zip(result.variables, row, strict=True)
             if term is not None} for row in result.rows]


def parse_json_results(body: bytes, max_rows: int = DEFAULT_MAX_ROWS) -> Result:
    """SPARQL 1.1 Query Results JSON as a :class:`kg.sparql.results.Result`; anything else a server
    may send (not JSON, nested past the decoder's depth, the wrong shape) is a RemoteError."""
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        raise RemoteError(f"the server's answer is not JSON ({type(exc).__name__})") from None
    if not isinstance(document, dict):
        raise RemoteError("the server's answer is not SPARQL JSON results (not an object)")
    if "boolean" in document:
        return Result("ASK", boolean=bool(document["boolean"]))
    try:
        variables = [str(v) for v in document.get("head", {}).get("vars", [])]
        bindings = list(document.get("results", {}).get("bindings", []))
    except (AttributeError, TypeError) as exc:
        raise RemoteError(f"cannot read the server's SPARQL JSON results ({exc})") from None
    if len(bindings) > max_rows:
        raise ResultTooLarge(f"the result has more than {max_rows:,} rows, over the cap; "
                                "narrow the query or add LIMIT (or raise the cap)")
    try:
        rows = [tuple(term_from_json(b[v]) if v in b else None for v in variables)
                for b in bindings]
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RemoteError(f"cannot read the server's SPARQL JSON results ({exc})") from None
    return Result("SELECT", variables, rows)


def _graph_result(form: str, body: bytes, max_rows: int) -> Result:
    try:
        triples = {ox.Triple(q.subject, q.predicate, q.object)
                   for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
    except SyntaxError as exc:
        raise RemoteError(f"cannot read the server's N-Triples ({exc})") from None
    if len(triples) > max_rows:
        raise ResultTooLarge(f"the result has more than {max_rows:,} triples, over the cap")
    return Result(form, triples=sort_triples(triples))
