"""Run the `kg` command in-process, as a user would from a shell, and capture the result."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Run:
    code: int
    out: str
    err: str


def run_kg(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> Run:
    from kg.cli.main import main

    old_argv, old_cwd = sys.argv, Path.cwd()
    sys.argv = ["kg", "--root", str(root), *args]
    capsys.readouterr()
    try:
        os.chdir(root)
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.argv = old_argv
        os.chdir(old_cwd)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)
