"""Where things live in a project checkout: ontology, shapes, rules, QC queries, data, build."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from kg.errors import UsageError

DATA_SUFFIXES = (".yaml", ".yml", ".ttl")


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
        )

    def input_files(self) -> list[Path]:
        rules = sorted(self.rules_dir.glob("*.rq"))
        qc = sorted(self.qc_dir.glob("*.rq"))
        return [*self.ontology_files(), self.shapes_file, *rules, *qc, *self.data_files()]

    def relative(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)
