"""The engines by name: the one place an adapter is added."""

from __future__ import annotations

from kg.core.errors import InputError
from kg.pipeline.engines.base import Reasoner, ShaclEngine
from kg.pipeline.engines.fast import FastReasoner
from kg.pipeline.engines.native_shacl import NativeShacl
from kg.pipeline.engines.owlrl_ref import OwlrlReasoner
from kg.pipeline.engines.pyshacl_ref import PyShacl

REASONERS: dict[str, Reasoner] = {"fast": FastReasoner(), "owlrl": OwlrlReasoner()}
REFERENCE_REASONER = "owlrl"
SHACL_ENGINES: dict[str, ShaclEngine] = {"native": NativeShacl(), "pyshacl": PyShacl()}
REFERENCE_SHACL = "pyshacl"


def reasoner_named(name: str) -> Reasoner:
    try:
        return REASONERS[name]
    except KeyError:
        raise InputError(f"unknown reasoner '{name}' (use {' or '.join(REASONERS)})") from None


def shacl_engine_named(name: str) -> ShaclEngine:
    try:
        return SHACL_ENGINES[name]
    except KeyError:
        raise InputError(f"unknown SHACL engine '{name}' (use {' or '.join(SHACL_ENGINES)})"
                         ) from None
