"""The one reader of a finished build (``build/``): its manifest, exposures, index and
coverage, and the paths of its graph files, with the check that it is older than its inputs."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.core.project import Project

GRAPH_QUADS = "graph.nq"  # the three named graphs (asserted, inferred, derived)


def input_hashes(project: Project, files: list[Path] | None = None) -> dict[str, str]:
    return {
        project.relative(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (files if files is not None else project.input_files())
    }


@dataclass
class Built:
    """A finished build, read back for the query-side commands."""

    out_dir: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, project: Project, out_dir: Path | None = None) -> Built:
        from kg.core.errors import UsageError

        out_dir = out_dir or project.build_dir
        manifest_path = out_dir / "manifest.json"
        if not manifest_path.is_file():
            raise UsageError(f"no build found in {project.relative(out_dir)}/; "
                             "run `kg build` first")
        return cls(out_dir, _read_json(manifest_path))

    @staticmethod
    def has_graph(build_dir: Path) -> bool:
        """Whether ``build_dir`` holds a built graph (its graph.nq)."""
        return (build_dir / GRAPH_QUADS).is_file()

    @staticmethod
    def graph_file(build_dir: Path) -> Path:
        """The built graph of ``build_dir`` (graph.nq), or a UsageError saying to build."""
        from kg.core.errors import UsageError
        from kg.core.textsafe import file_name

        path = build_dir / GRAPH_QUADS
        if not path.is_file():
            raise UsageError(f"no {GRAPH_QUADS} in {file_name(str(build_dir))}; "
                             "run `kg build` first")
        return path

    @staticmethod
    def graph_lines(build_dir: Path, keep: Callable[[str], bool]) -> list[str]:
        """The N-Quads lines of ``build_dir``'s graph that ``keep`` accepts, as N-Triples
        (graph label dropped); none when the build has no graph."""
        path = build_dir / GRAPH_QUADS
        if not path.is_file():
            return []
        with open(path, encoding="utf-8") as handle:
            return [line.rsplit(" ", 2)[0] + " .\n" for line in handle if keep(line)]

    @property
    def graph(self) -> Path:
        return self.graph_file(self.out_dir)

    @property
    def built_at(self) -> dt.datetime:
        """When the build was written: its manifest's modification time (UTC); the manifest
        itself holds no timings, so that builds diff cleanly."""
        stamp = (self.out_dir / "manifest.json").stat().st_mtime
        return dt.datetime.fromtimestamp(stamp, dt.UTC)

    def is_stale(self, project: Project) -> bool:
        return self.manifest.get("inputs") != input_hashes(project)

    def exposures(self) -> list[dict[str, Any]]:
        exposures: list[dict[str, Any]] = _read_json(self.out_dir / "exposures.json")
        return exposures

    def index(self) -> dict[str, dict[str, Any]]:
        index: dict[str, dict[str, Any]] = _read_json(self.out_dir / "index.json")
        return index

    def coverage(self) -> dict[str, Any]:
        """What was reviewed where (kg/pipeline/coverage.py); empty for a build made before it."""
        path = self.out_dir / "coverage.json"
        if not path.is_file():
            return {"records": {}, "scopes": {}, "relevant": {}, "within": {}, "labels": {}}
        coverage: dict[str, Any] = _read_json(path)
        return coverage


def _read_json(path: Path) -> Any:
    import sys

    from kg.core.errors import InputError
    from kg.core.textsafe import file_name

    try:
        return json.loads(path.read_text("utf-8"))
    except RecursionError:  # the decoder's depth limit: the recursion limit (1,000)
        raise InputError(f"{file_name(str(path))}: unreadable build output (JSON nested "
                         f"deeper than {sys.getrecursionlimit():,} levels); run `kg build` "
                         "again") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{file_name(str(path))}: unreadable build output ({exc}); run "
                         "`kg build` again") from exc
