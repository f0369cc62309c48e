"""The `kg` command: parse arguments, call one function, format its result.

Exit codes: 0 ok, 1 validation findings, 2 usage or input error. Data goes to
stdout, messages to stderr.
"""

from __future__ import annotations

import io
import os
import sys

import click

from kg.cli.util import say as _say
from kg.core.errors import KgError, ValidationFailed
from kg.core.textsafe import terminal


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False), default=None,
              help="Project directory (default: $KG_ROOT or the current directory).")
@click.version_option(package_name="aigov-kg")
@click.pass_context
def cli(ctx: click.Context, root: str | None) -> None:
    """aigov-kg: governance risks of AI companies going abroad, as a knowledge graph.

    \b
    Example:
      kg build
      kg exposures --actor deepseek
      kg explain deepseek --risk ModelDistillationAllegationRisk
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


def _register() -> None:
    """Commands that live in their own modules (each imports its dependencies lazily)."""
    from kg.cli.build import build, docs, export, source_check, stats, validate
    from kg.cli.cases import diff, new_case, screen
    from kg.cli.exposures import explain, exposures
    from kg.cli.query import publish, query, serve
    from kg.cli.viz import viz

    for command in (build, exposures, explain, validate, stats, source_check, export, docs,
                    query, publish, serve, viz, new_case, diff, screen):
        cli.add_command(command)


_register()


# --------------------------------------------------------------------------- entry point


def main() -> None:
    try:
        code = cli.main(standalone_mode=False, prog_name="kg")
    except click.exceptions.Abort:
        _say("aborted")
        sys.exit(130)
    except click.ClickException as exc:
        shown = io.StringIO()
        exc.show(file=shown)  # click repeats the user's words: escape them too
        sys.stdout.flush()
        sys.stderr.write(terminal(shown.getvalue()))
        sys.exit(exc.exit_code)
    except KgError as exc:
        for finding in exc.findings:
            _say(finding.render())
        if not exc.findings or isinstance(exc, ValidationFailed):
            _say(f"error: {exc.message}")
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: say so plainly, traceback only on request
        if os.environ.get("KG_DEBUG"):
            raise
        _say(f"internal error: {type(exc).__name__}: {exc} (set KG_DEBUG=1 for a traceback)")
        sys.exit(3)
    sys.exit(code if isinstance(code, int) else 0)
