"""The `kg` command line, thin over the packages."""

from kg.cli.main import main

__all__ = ["main"]
