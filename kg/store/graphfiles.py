"""Graph files from sorted parts: each part as Turtle, and all of them as graph.nt/.nq.

A build writes each part of the graph (asserted, inferred, derived) as sorted N-Triples
to a scratch file; this module turns those into the files users read. It runs as a
child process while the build makes the exposure records: Oxigraph's Turtle writer holds
the GIL, so in a thread it would stall them, while in a process the two use two cores.
It imports nothing but pyoxigraph, so the child starts in a tenth of a second.

    python graphfiles.py OUT_DIR PREFIXES_JSON NAME=GRAPH_IRI ...
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox


def scratch_path(out_dir: Path, name: str) -> Path:
    return out_dir / f".{name}.part.nt"


def finish(out_dir: Path, parts: list[tuple[str, str]], prefixes: dict[str, str]) -> None:
    """``<name>.ttl`` for each part, then ``graph.nt`` (the parts one after another) and
    ``graph.nq`` (each part in its named graph); the scratch files are removed."""
    with open(out_dir / "graph.nq", "wb") as quads, open(out_dir / "graph.nt", "wb") as union:
        for name, graph in parts:
            part = scratch_path(out_dir, name)
            ox.serialize(ox.parse(path=part, format=ox.RdfFormat.N_TRIPLES),
                         out_dir / f"{name}.ttl", format=ox.RdfFormat.TURTLE,
                         prefixes=prefixes)
            suffix = f" <{graph}> .\n".encode()
            with open(part, "rb") as handle:
                shutil.copyfileobj(handle, union, 1 << 20)
                handle.seek(0)
                # binary lines end at b"\n" only: U+2028 inside a literal stays put
                quads.writelines(line[:-3] + suffix for line in handle)
            part.unlink()


class Writer:
    """:func:`finish` running in a child process; :meth:`wait` raises if it failed.

    Where no child can be started (no process to spare, or a frozen app, whose
    executable is not a Python), the files are written here, at once."""

    def __init__(self, out_dir: Path, parts: list[tuple[str, str]],
                 prefixes: dict[str, str]) -> None:
        self.peak_kb = 0  # the child's peak memory, once it is done
        self.process: subprocess.Popen[bytes] | None = None
        if not getattr(sys, "frozen", False):
            with contextlib.suppress(OSError):  # no process to spare: written below
                self.process = subprocess.Popen(
                    [sys.executable, __file__, str(out_dir), json.dumps(prefixes),
                     *(f"{name}={graph}" for name, graph in parts)],
                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if self.process is None:
            finish(out_dir, parts, prefixes)

    def wait(self) -> None:
        from kg.core.errors import OutputError

        if self.process is None:
            return
        out, err = self.process.communicate()
        if self.process.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines() or ["no message"]
            raise OutputError(f"writing the graph files failed: {lines[-1][:500]}")
        if out.strip().isdigit():
            self.peak_kb = int(out)

    def stop(self) -> None:
        """Kill the child (the build failed elsewhere) and wait for it to be gone."""
        if self.process is None or self.process.returncode is not None:  # none, or done
            return
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate()


def peak_kb() -> int:
    """This process's peak resident memory. Linux's ``ru_maxrss`` would count the parent's,
    which a child inherits across fork and exec; VmHWM is this program's alone."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(argv: list[str]) -> int:
    """Write the graph files, then print the peak memory (kB) for the parent to read."""
    out_dir, prefixes, *specs = argv
    finish(Path(out_dir), [tuple(spec.split("=", 1)) for spec in specs],  # type: ignore[misc]
           json.loads(prefixes))
    print(peak_kb())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
