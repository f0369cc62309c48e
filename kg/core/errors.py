"""Findings and errors: values until the CLI turns them into a message and an exit code.

Exit codes (as pySHACL): 0 ok, 1 validation findings, 2 usage or input error.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located as precisely as we can: file and line, or the subject IRI."""

    file: str = ""
    line: int = 0
    subject: str = ""
    rule: str = ""
    message: str = ""
    hint: str = ""
    severity: str = "error"  # "warning": reported, fails only under --strict

    def location(self) -> str:
        if self.file and self.line:
            return f"{self.file}:{self.line}"
        if self.file:
            return self.file
        return self.subject or "<graph>"

    def render(self) -> str:
        where = self.location()
        subject = f" [{self.subject}]" if self.subject and self.file else ""
        level = "warning: " if self.severity == "warning" else ""
        text = f"{where}:{subject} {level}{self.message} ({self.rule})"
        if self.hint:
            text += f"\n    → {self.hint}"
        return text

    def as_dict(self) -> dict[str, object]:
        """The finding as `kg validate --format json` gives it (docs/adding-a-case.md):
        ``code`` is the check that found it (``rule``); ``file`` is "" and ``line`` 0 when
        not known."""
        return {
            "file": self.file, "line": self.line, "subject": self.subject,
            "code": self.rule, "severity": self.severity, "message": self.message,
            "hint": self.hint,
        }

    def order(self) -> tuple[bool, str, int, str, str, str]:
        """Sort key: by file and line, findings located in no file last."""
        return (not self.file, self.file, self.line, self.subject, self.rule, self.message)


def ordered(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` without repeats, by file and line (those in no file last)."""
    return sorted(set(findings), key=Finding.order)


@dataclass
class KgError(Exception):
    """An error the user can fix; ``exit_code`` 2 for usage/input, 1 for validation."""

    message: str
    findings: list[Finding] = field(default_factory=list)
    exit_code: int = 2

    def __str__(self) -> str:
        return self.message


class InputError(KgError):
    """Unreadable or malformed input (file, encoding, syntax)."""


class UsageError(KgError):
    """Bad command-line use: unknown name, missing or ill-typed parameter."""


class OutputError(KgError):
    """An output could not be written (or would replace something that is not ours)."""


class ValidationFailed(KgError):
    """The data was read but breaks a shape or a quality-control rule."""

    def __init__(self, findings: list[Finding]):
        n = sum(f.severity == "error" for f in findings) or len(findings)
        unreadable = any(f.rule in INPUT_RULES for f in findings)
        super().__init__(f"validation failed: {n} problem{'s' if n != 1 else ''}", findings,
                         2 if unreadable else 1)


# Findings that mean a file could not be read at all: exit 2 rather than 1.
INPUT_RULES = frozenset({"unreadable", "yaml-syntax", "turtle-syntax", "empty-file", "yaml-alias",
                         "yaml-tag", "yaml-depth", "case-shape", "unsupported-format",
                         "link-outside", "budget", "bad-character", "value-too-long"})
