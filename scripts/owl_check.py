"""Check the ontology and a graph with an outside OWL 2 DL reasoner: HermiT, via owlready2.

By default the graph is the project's build/graph.nt, which holds the ontology modules
(ontology/*.ttl but the shapes), the curated data, the OWL RL closure and the derived
exposures. HermiT (it needs Java) must accept it — every datatype in an OWL axiom from the
OWL 2 datatype map — and find it consistent with no unsatisfiable class.

Exit codes: 0 consistent and no unsatisfiable class; 1 inconsistent, or some class
unsatisfiable; 2 HermiT refused the input (say, a datatype outside the OWL 2 datatype map)
or could not run (no Java, no owlready2, no build). docs/owl.md explains the choices.

    python scripts/owl_check.py                        # build/graph.nt of this project
    python scripts/owl_check.py --build /tmp/b/build   # another build directory
    python scripts/owl_check.py --asserted             # ontology + data/ as loaded, unbuilt
    python scripts/owl_check.py a.nt b.ttl             # any N-Triples or Turtle files
    python scripts/owl_check.py --json                 # the report as JSON on stdout
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
OWL_NOTHING = "http://www.w3.org/2002/07/owl#Nothing"


class CheckError(Exception):
    """The check could not be made (exit 2)."""


def ntriples_of(args: argparse.Namespace) -> tuple[str, list[str]]:
    """The graph to check, as N-Triples text, and what it was made from."""
    import pyoxigraph as ox

    from kg.core.project import Project

    project = Project.locate(args.root)
    if args.asserted:
        from kg.core.errors import KgError
        from kg.pipeline.load import load

        try:
            graph = load(project).asserted()
        except KgError as exc:
            raise CheckError(f"{project.root}: the project does not load: {exc}") from exc
        return graph.serialize(format="nt"), [f"{project.root} (ontology and data, as loaded)"]
    paths = [Path(p) for p in args.files] or [
        Path(args.build or project.build_dir) / "graph.nt"]
    parts = []
    for path in paths:
        if path.is_dir():
            path = path / "graph.nt"
        if not path.is_file():
            hint = "; run `kg build` first" if path.name == "graph.nt" else ""
            raise CheckError(f"{path}: no such file{hint}")
        fmt = ox.RdfFormat.TURTLE if path.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES
        try:
            quads = ox.parse(path.read_bytes(), fmt, base_iri="https://w3id.org/aigov-kg/")
            parts.append("".join(f"{q.subject} {q.predicate} {q.object} .\n" for q in quads))
        except (SyntaxError, ValueError) as exc:
            raise CheckError(f"{path}: not readable as {fmt}: {exc}") from exc
    return "".join(parts), [str(p) for p in paths]


def run_hermit(text: str) -> dict[str, Any]:
    """Load ``text`` (N-Triples) into a fresh owlready2 world and run HermiT on it."""
    try:
        import owlready2
    except ImportError as exc:
        raise CheckError("owlready2 is not installed (pip install -e '.[test]')") from exc
    java = shutil.which(owlready2.JAVA_EXE) or shutil.which("java")
    if java is None:
        raise CheckError("no Java runtime: HermiT needs one (apt-get install "
                         "default-jre-headless)")
    owlready2.JAVA_EXE = java
    report: dict[str, Any] = {"reasoner": f"HermiT (owlready2 {owlready2.VERSION})",
                              "triples": text.count("\n")}
    with tempfile.TemporaryDirectory(prefix="owl-check-") as tmp:
        path = Path(tmp) / "graph.nt"
        path.write_text(text, "utf-8")
        start = time.perf_counter()
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(format="ntriples")
        report["load_seconds"] = round(time.perf_counter() - start, 2)
        start = time.perf_counter()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            report["consistent"] = True
        except owlready2.OwlReadyInconsistentOntologyError:
            report["consistent"] = False
        except owlready2.OwlReadyJavaError as exc:
            lines = [line.strip() for line in str(exc).splitlines()
                     if line.strip() and not line.strip().startswith("at ")]
            raise CheckError("HermiT refused the graph: " + " ".join(lines[1:5])) from exc
        report["hermit_seconds"] = round(time.perf_counter() - start, 2)
        # An inconsistent graph has no model, so HermiT classifies nothing.
        report["unsatisfiable"] = None if not report["consistent"] else sorted(
            c.iri for c in world.inconsistent_classes() if c.iri != OWL_NOTHING)
        world.close()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog="\n".join(__doc__.splitlines()[1:]))
    parser.add_argument("files", nargs="*", help="N-Triples (.nt) or Turtle (.ttl) files, "
                        "or build directories (default: the project's build/graph.nt)")
    parser.add_argument("--root", help="the project (default: $KG_ROOT or the current "
                        "directory, or a parent)")
    parser.add_argument("--build", help="a build directory (default: the project's build/)")
    parser.add_argument("--asserted", action="store_true",
                        help="check the project's ontology and data as loaded, without "
                        "building (for data that does not build)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args()
    if args.asserted and (args.files or args.build):
        parser.error("--asserted takes no files and no --build")
    sys.path.insert(0, str(REPO))
    from kg.core.errors import KgError

    started = time.perf_counter()
    report: dict[str, Any] = {}
    try:
        text, inputs = ntriples_of(args)
        report = {"inputs": inputs, **run_hermit(text)}
    except (CheckError, KgError) as exc:
        report = {"error": str(exc)}
    report["seconds"] = round(time.perf_counter() - started, 2)
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True))
    if "error" in report:
        if not args.json:
            print(f"owl_check: error: {report['error']}", file=sys.stderr)
        return 2
    ok = report["consistent"] and not report["unsatisfiable"]
    if not args.json:
        print(f"{report['reasoner']} on {', '.join(report['inputs'])}: "
              f"{report['triples']:,} triples")
        print(f"consistent: {'yes' if report['consistent'] else 'NO'}")
        if report["consistent"]:
            print(f"unsatisfiable classes: {len(report['unsatisfiable'])}")
            for iri in report["unsatisfiable"]:
                print(f"  {iri}")
        print(f"time: {report['seconds']:.1f} s (load {report['load_seconds']:.1f} s, "
              f"HermiT {report['hermit_seconds']:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
