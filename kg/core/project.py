"""Where things live in a project checkout: ontology, shapes, rules, QC queries, data, build."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.core.errors import UsageError

DATA_SUFFIXES = (".yaml", ".yml", ".ttl")
# RDF and data formats a contributor might drop into data/ expecting them to be read. They
# are never parsed (RDF/XML can carry a DTD and entity expansion, JSON-LD remote contexts):
# the loader reports each one as an error naming the file, so nothing is silently ignored.
REFUSED_SUFFIXES = (".rdf", ".owl", ".xml", ".jsonld", ".json", ".nt", ".nq", ".n3", ".trig",
                    ".trix", ".hext")


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def locate(cls, root: str | os.PathLike[str] | None = None) -> Project:
        """The project at ``root``, ``$KG_ROOT`` or the current directory (or a parent)."""
        start = Path(root or os.environ.get("KG_ROOT") or Path.cwd()).resolve()
        for candidate in (start, *start.parents):
            if (candidate / "ontology" / "aigov.ttl").is_file():
                return cls(candidate)
        raise UsageError(
            f"no aigov-kg project found at {start} or above it "
            "(expected ontology/aigov.ttl); pass --root or set KG_ROOT"
        )

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    @property
    def rules_dir(self) -> Path:
        return self.ontology_dir / "rules"

    @property
    def qc_dir(self) -> Path:
        return self.ontology_dir / "qc"

    @property
    def shapes_file(self) -> Path:
        return self.ontology_dir / "shapes.ttl"

    def ontology_files(self) -> list[Path]:
        """Ontology modules that become part of the graph (shapes are kept apart)."""
        return sorted(p for p in self.ontology_dir.glob("*.ttl") if p.name != "shapes.ttl")

    def data_files(self) -> list[Path]:
        return sorted(
            p for p in self.data_dir.rglob("*")
            if p.is_file() and p.suffix in DATA_SUFFIXES and not p.name.startswith(".")
            and not self.leaves(p)
        )

    def refused_data_files(self) -> list[Path]:
        """Files in data/ that look like data but are not read: another RDF format
        (REFUSED_SUFFIXES), a case-file suffix in the wrong case (``X.YAML``), or a
        symbolic link that leads out of the project (see :meth:`leaves`)."""
        return sorted(
            p for p in self.data_dir.rglob("*")
            if not p.name.startswith(".") and (
                (p.is_symlink() and self.leaves(p))  # a linked folder too: never walked
                or (p.is_file() and p.suffix not in DATA_SUFFIXES
                    and p.suffix.lower() in (*REFUSED_SUFFIXES, *DATA_SUFFIXES)))
        )

    def leaves(self, path: Path) -> bool:
        """Is ``path`` (in the project) a symbolic link, or inside one, that leads out of
        the project? Such a file is never read: a parse error would print what it points to
        (a token, a key) in the message."""
        try:
            return not path.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError):
            return True

    def input_files(self) -> list[Path]:
        rules = sorted(self.rules_dir.glob("*.rq"))
        qc = sorted(self.qc_dir.glob("*.rq"))
        return [*self.ontology_files(), self.shapes_file, *rules, *qc, *self.data_files()]

    def relative(self, path: Path) -> str:
        """The path as shown in messages: from the project's root when inside it, with every
        control character escaped (a newline in a file name must not forge a line)."""
        from kg.core.textsafe import file_name

        try:
            return file_name(str(path.resolve().relative_to(self.root)))
        except ValueError:
            return file_name(str(path))
