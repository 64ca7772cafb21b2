"""Commands for checking people's mathematics: equal, check, verify."""

from __future__ import annotations

from pathlib import Path

import click

from symwork.cli.app import SECONDS, _emit, _friendly, _load, main


class MathArguments(click.Command):
    """A command whose arguments are mathematics, which may start with a minus sign: ``symwork check ID '-x'``.

    click would read ``-\\sigma(x)`` as options; here every argument that is not one of the command's own
    options (or their values) is an argument, whatever it starts with, and ``--`` still works.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not param.is_flag and not param.count
        options: list[str] = []
        positional: list[str] = []
        position = 0
        while position < len(args):
            arg = args[position]
            if arg == "--":
                positional.extend(args[position + 1 :])
                break
            name = arg.split("=", 1)[0]
            if name in takes_value:
                options.append(arg)
                if takes_value[name] and "=" not in arg and position + 1 < len(args):
                    position += 1
                    options.append(args[position])
            else:
                positional.append(arg)
            position += 1
        return super().parse_args(ctx, [*options, "--", *positional])


@main.command(cls=MathArguments)
@click.argument("first", metavar="A")
@click.argument("second", metavar="B")
@click.option("--syntax", type=click.Choice(["auto", "latex", "plain"]), default="auto", show_default=True)
@click.option("--timeout", type=SECONDS, default=2.0, show_default=True, help="Seconds allowed for the check.")
@click.option("--json", "as_json", is_flag=True, help="Print {verdict, method, counterexample, error, elapsed_ms}.")
@click.pass_context
@_friendly
def equal(ctx: click.Context, first: str, second: str, syntax: str, timeout: float, as_json: bool) -> None:
    """Are A and B equal? LaTeX or plain syntax. Exit 0 equal, 1 different, 3 undecided, 2 bad input.

    \b
    symwork equal '\\sigma(x)(1-\\sigma(x))' 'e^{-x}/(1+e^{-x})^2'
    symwork equal 'sqrt(x^2)' 'x'          # different, with a counterexample
    """
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.answers import checker as answers

    _emit(answers.equal(first, second, syntax=syntax, timeout=timeout), as_json, answers.format_equal, answers.EXIT_CODES)


@main.command(cls=MathArguments)
@click.argument("derivation_id", metavar="ID")
@click.argument("answer")
@click.option("--seed", type=int, default=None, help="Check against the exercise variant with this seed.")
@click.option("--part", default=None, metavar="LABEL", help="With --seed: check one part of the exercise (a, b, ...).")
@click.option("--timeout", type=SECONDS, default=2.0, show_default=True, help="Seconds allowed for the check.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict and feedback as JSON.")
@click.pass_context
@_friendly
def check(
    ctx: click.Context, derivation_id: str, answer: str, seed: int | None, part: str | None, timeout: float, as_json: bool
) -> None:
    """Check ANSWER against a derivation's result (or, with --seed, its exercise variant) and say what is wrong.

    \b
    symwork check sigmoid-derivative '\\sigma(x)(1-\\sigma(x))'
    symwork check softmax-jacobian 's_i(\\delta_{ij} - s_j)'
    symwork check quadratic-form-gradient '(A + A^\\top)\\bm{x}'
    symwork check beta-bernoulli-update '[[9],[9]]' --seed 4
    """
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.answers import checker as answers

    result = answers.check(derivation_id, answer, seed=seed, part=part, timeout=timeout)
    _emit(result, as_json, answers.format_check, answers.EXIT_CODES)


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--against", "against", metavar="ID", help="Also check that the chain starts from this derivation's question and ends at its result.")
@click.option("--timeout", type=SECONDS, default=2.0, show_default=True, help="Seconds allowed per step.")
@click.option("--json", "as_json", is_flag=True, help="Print {verdict, steps, first_wrong_line} as JSON.")
@click.pass_context
@_friendly
def verify(ctx: click.Context, file: Path, against: str | None, timeout: float, as_json: bool) -> None:
    """Check a hand derivation line by line: each expression must equal the one before it.

    FILE is LaTeX (align, align*, equation, gather, $$...$$ or \\[...\\], with = chains, &= and \\\\
    line breaks, % comments) or plain text with one expression per line. Exit 0 valid, 1 a wrong
    step, 3 undecided, 2 bad input.
    """
    _load(ctx)
    # Lazy: `symwork --help` must not import SymPy or numpy.
    from symwork.answers import verify as verifier

    _emit(verifier.verify_file(file, against=against, timeout=timeout), as_json, verifier.format_verify, verifier.EXIT_CODES)

