"""The Typer application object that every command module registers on.

Cheap to import by design (``photodose --help`` must start in ≤ 0.3 s, see
``benchmarks/startup.py``): only Typer and Click here; numpy, numba, pydantic, Rich tables and
the models are imported inside the commands that use them.

Every way a command can end goes through :class:`PhotodoseGroup.main`, so the error contract
of :mod:`photodose.cli.errors` holds for Click's own usage errors too (a missing argument, a
value that is not a number): exit 2, a message naming the option and the fix, and with
``--json`` exactly one ``{"error": {...}}`` object on stdout. An unexpected exception is a bug:
it is reported in one line (exit 1), never as a traceback, unless ``PHOTODOSE_DEBUG=1``.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

try:  # Typer ≥ 0.20 vendors Click as typer._click; older Typer uses Click itself
    from typer._click import exceptions as _cx
    from typer.exceptions import Abort as _Abort
except ImportError:  # pragma: no cover
    from click import exceptions as _cx  # type: ignore[no-redef,unused-ignore]
    from click.exceptions import Abort as _Abort  # type: ignore[assignment,no-redef,unused-ignore]

from photodose import __version__
from photodose.errors import FieldError

# Exit code for bad input (a malformed file, an out-of-range value).
EXIT_BAD_INPUT = 2
# Exit code for an internal error (a bug): distinct from bad input so that fuzzing can tell them apart.
EXIT_INTERNAL = 1


_NEGATIVE_NUMBER = re.compile(r"-(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


def _usage_field(exc: _cx.UsageError) -> str:
    """The option or argument a Click usage error is about (``--photons``, ``STACK_FILE``)."""
    option = getattr(exc, "option_name", None)  # NoSuchOption, BadOptionUsage
    if option:
        return str(option)
    param = getattr(exc, "param", None)
    if param is not None:
        opts = [o for o in getattr(param, "opts", []) if o.startswith("--")]
        if getattr(param, "param_type_name", "") == "option" and opts:
            return str(opts[0])
        if param.name:
            return str(param.name).upper()
    return "arguments"


class PhotodoseGroup(TyperGroup):
    """The command group: Typer's, with one error contract for every way a command can fail."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        from photodose.cli.errors import emit_error

        argv = list(args) if args is not None else sys.argv[1:]
        as_json = "--json" in argv
        try:
            rv = super().main(argv, prog_name or "photodose", complete_var, standalone_mode=False, **extra)
            code = rv if isinstance(rv, int) else 0
        except _cx.NoArgsIsHelpError as exc:
            typer.echo(exc.ctx.get_help() if exc.ctx is not None else exc.format_message())
            code = 0
        except _cx.UsageError as exc:
            cmd = exc.ctx.command_path if exc.ctx is not None else "photodose"
            option = str(getattr(exc, "option_name", "") or "")
            # Click names only the first characters of a bundle ("-5" of "-5e2", "-." of "-.5")
            negative = [a for a in argv if a.startswith(option) and _NEGATIVE_NUMBER.fullmatch(a)]
            if isinstance(exc, _cx.NoSuchOption) and option and negative:
                option = negative[0]
                # `photodose meter -5 …`: Click reads a negative positional value as an option
                positional = [
                    str(q.name).upper()
                    for q in (exc.ctx.command.params if exc.ctx is not None else [])
                    if getattr(q, "param_type_name", "") == "argument" and q.name
                ]
                emit_error(
                    positional[0] if len(positional) == 1 else "arguments",
                    f"{option} is read as an option: a negative value is not accepted here",
                    f"give a value ≥ 0 (see `{cmd} --help`)",
                    as_json=as_json,
                )
            else:
                emit_error(
                    _usage_field(exc),
                    exc.format_message(),
                    f"see `{cmd} --help` for the accepted options and values",
                    as_json=as_json,
                )
            code = EXIT_BAD_INPUT
        except _cx.ClickException as exc:  # e.g. FileError
            emit_error("input", exc.format_message(), "check the file or value named above", as_json=as_json)
            code = EXIT_BAD_INPUT
        except _Abort as exc:
            if isinstance(exc.__cause__ or exc.__context__, EOFError):  # a prompt met the end of stdin
                emit_error(
                    "stdin",
                    "the input ended before every question was answered",
                    "answer on a terminal, or give the answers as a file (see the command's --help)",
                    as_json=as_json,
                )
                code = EXIT_BAD_INPUT
            else:
                sys.stderr.write("aborted\n")
                code = 130
        except KeyboardInterrupt:
            code = 130
        except FieldError as exc:  # any layer's fixable error a command did not map itself
            emit_error(exc.field, exc.message, exc.fix, as_json=as_json)
            code = EXIT_BAD_INPUT
        except BrokenPipeError:  # `photodose … | head`: the reader left; say nothing more
            with contextlib.suppress(OSError):
                sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (no flush error at exit)
            code = 141  # 128 + SIGPIPE, as a shell reports a process killed by it
        except Exception as exc:
            if os.environ.get("PHOTODOSE_DEBUG"):
                raise
            emit_error(
                "internal",
                f"unexpected {type(exc).__name__}: {exc}"[:500],
                "this is a bug in photodose; rerun with PHOTODOSE_DEBUG=1 for the traceback and report it",
                as_json=as_json,
                exit_code=EXIT_INTERNAL,
            )
            code = EXIT_INTERNAL
        if standalone_mode:
            sys.exit(code)
        return code


app = typer.Typer(
    name="photodose",
    cls=PhotodoseGroup,
    help="Red light therapy, measured: light in skin, mask dose, evidence and claims. "
    "Not medical advice. Bad input exits 2 with a message naming the option and the fix; "
    "--json prints exactly one JSON object.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # help and errors are plain text: "[brackets]" in them survive
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"photodose {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit."),
    ] = False,
) -> None:
    """Red light therapy, measured: light in skin, mask dose, evidence and claims.

    Not medical advice. Bad input exits 2 with a message naming the option and the fix;
    --json prints exactly one JSON object.
    """
