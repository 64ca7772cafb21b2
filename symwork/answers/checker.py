"""Answer checking for people: `equal` (two typed expressions) and `check` (an answer against a derivation).

Both parse and compare inside a sandbox worker (`symwork.sandbox`), so hostile text is refused or
stopped there. Results are JSON-ready dicts; `format_equal` and `format_check` turn them into one or
two lines for a terminal.

**Symbol mapping for general answers** (``check(id, text)`` without a seed). The student's symbols are
matched to the derivation's objects by name, in this order:

1. a scalar of the derivation (inputs, defined names, auxiliary variables): ``x``, ``eps``, ``T``;
2. a free index of the result: ``i``, ``j``;
3. a size: ``n`` becomes the checked instance's size (e.g. 3);
4. ``base_sub`` where ``base`` is an array of the derivation (``s``, ``z``, ``y``, ``W``): ``s_i`` is
   ``s[i]``, ``W_{jl}`` is ``W[j, l]`` (one letter or digit per axis), ``z_1`` is ``z[1]``;
5. the bound variable of a typed sum (``\\sum_{k=1}^{n} s_k z_k``).

``\\delta_{ij}`` is already KroneckerDelta(i, j) and ``\\sigma(x)`` the sigmoid; Greek aliases such as
``\\epsilon`` → ``eps`` are in `ALIASES`. Results written with matrix symbols (``(A + A^T) x``) or
with notation that cannot be typed return "undecided" with advice to use ``--seed``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any

from symwork.errors import CheckError, SymworkError

#: Exit codes of `symwork equal` and `symwork check`, by verdict.
EXIT_CODES: dict[str, int] = {"equal": 0, "different": 1, "undecided": 3, "error": 2}

#: Names a student may type for a derivation's symbol of another name (typed → derivation).
ALIASES: dict[str, str] = {"epsilon": "eps", "varepsilon": "eps", "beta_1": "beta1", "beta_2": "beta2"}

_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _result(
    verdict: str,
    *,
    method: str | None = None,
    counterexample: Mapping[str, Any] | None = None,
    error: str | None = None,
    detail: str = "",
) -> dict[str, Any]:
    return {
        "verdict": verdict,
        "method": method,
        "counterexample": dict(counterexample) if counterexample else None,
        "error": error,
        "detail": detail,
    }


def _counterexample(raw: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    out: dict[str, Any] = {"point": dict(raw.get("point", {})), "a": raw.get("lhs"), "b": raw.get("rhs")}
    if "entry" in raw:
        out["entry"] = list(raw["entry"])
    if raw.get("index"):
        out["index"] = dict(raw["index"])
    return out


def _from_verdict(verdict: Any) -> dict[str, Any]:
    return _result(
        verdict.status,
        method=verdict.method,
        counterexample=_counterexample(verdict.counterexample),
        detail=verdict.detail,
    )


# --------------------------------------------------------------------------------------------------
# equal


def equal_in_process(
    a_text: str, b_text: str, *, syntax: str = "auto", seed: int = 0, budget: float = 1.0
) -> dict[str, Any]:
    """The work of `equal`, without a sandbox: parse both texts and compare them. Raises SymworkError on bad input."""
    from symwork.compare import compare
    from symwork.parse import parse

    a = parse(a_text, syntax=syntax)
    b = parse(b_text, syntax=syntax)
    return _from_verdict(compare(a, b, seed=seed, budget=budget))


def _guarded(
    function: str, args: tuple[Any, ...], kwargs: dict[str, Any], timeout: float, sandbox: Any
) -> dict[str, Any]:
    from symwork.answers import sandbox as sandboxes

    box = sandbox if sandbox is not None else sandboxes.default_sandbox()
    try:
        if box == "in-process":
            result: dict[str, Any] = globals()[function.partition(":")[2]](*args, **kwargs)
            return result
        return dict(box.run(function, *args, timeout=timeout, **kwargs))
    except sandboxes.TimeLimitError:
        return _result("undecided", method="time limit", detail=f"time limit: stopped after {timeout:g} s")
    except sandboxes.MemoryLimitError:
        return _result("undecided", method="memory limit", detail="memory limit: the check ran out of memory")
    except sandboxes.WorkerError as exc:
        return _result("undecided", method="sandbox", detail=str(exc))
    except SymworkError as exc:
        return _result("error", error=str(exc))


def equal(
    a_text: str, b_text: str, *, syntax: str = "auto", timeout: float = 2.0, seed: int = 0, sandbox: Any = None
) -> dict[str, Any]:
    """Are two typed expressions equal? Returns the JSON shape of ``symwork equal --json``.

    ``{"verdict": "equal"|"different"|"undecided"|"error", "method": ..., "counterexample": {...}|None,
    "error": ...|None, "elapsed_ms": ...}``. ``sandbox`` defaults to the shared sandbox; pass a
    `Sandbox` or ``"in-process"`` (trusted input only). Example: ``equal("x^2-1", "(x-1)(x+1)")["verdict"]``.
    """
    start = time.perf_counter()
    # The comparison's own budget stays below the hard limit, so that most slow checks end cleanly.
    kwargs = {"syntax": syntax, "seed": seed, "budget": max(0.05, timeout * 0.5)}
    result = _guarded("symwork.answers.checker:equal_in_process", (a_text, b_text), kwargs, timeout, sandbox)
    result["elapsed_ms"] = round((time.perf_counter() - start) * 1000, 3)
    return result


def format_equal(result: Mapping[str, Any]) -> str:
    """One or two lines for a terminal, e.g. ``different (numeric): at x = -1: 1 against -1``."""
    verdict = result["verdict"]
    if verdict == "error":
        return f"error: {result['error']}"
    head = f"{verdict} ({result['method']})" if result.get("method") else verdict
    if result.get("detail") and verdict != "equal":
        head += f": {result['detail']}"
    example = result.get("counterexample")
    if example:
        return f"{head}\n  {_describe_point(example)}"
    return head


def _describe_point(example: Mapping[str, Any]) -> str:
    point = ", ".join(f"{name} = {value}" for name, value in example.get("point", {}).items())
    where = f"at {point}: " if point else ""
    entry = f"entry {tuple(example['entry'])}: " if example.get("entry") else ""
    return f"{entry}{where}{example.get('a')} against {example.get('b')}"


# --------------------------------------------------------------------------------------------------
# check


def check_in_process(derivation_id: str, answer_text: str, *, seed: int | None = None) -> dict[str, Any]:
    """The work of `check`, without a sandbox. Raises SymworkError on bad input."""
    from symwork.core import registry

    derivation = registry.get(derivation_id)
    if seed is None:
        return _check_general(derivation, answer_text)
    return _check_exercise(derivation, answer_text, seed)


def check(
    derivation_id: str, answer_text: str, *, seed: int | None = None, timeout: float = 2.0, sandbox: Any = None
) -> dict[str, Any]:
    """Check a typed answer against a derivation's result (general form, or the exercise for ``seed``).

    Returns the keys of `equal` plus ``"feedback"`` (what is wrong, in a student's terms) and
    ``"expected_shape"``. Example: ``check("softmax-jacobian", r"s_i(\\delta_{ij} - s_j)")["verdict"]``.
    """
    start = time.perf_counter()
    _load_library_in(sandbox)
    result = _guarded(
        "symwork.answers.checker:check_in_process", (derivation_id, answer_text), {"seed": seed}, timeout, sandbox
    )
    result.setdefault("expected_shape", None)
    if "feedback" not in result:
        result["feedback"] = _feedback_for(result)
    result["elapsed_ms"] = round((time.perf_counter() - start) * 1000, 3)
    return result


def load_library_in_process() -> int:
    """Load the derivation library in this (worker) process; returns how many derivations it has."""
    from symwork.core import registry

    return len(registry.derivations())


def _load_library_in(sandbox: Any) -> None:
    # Loading the library takes seconds in a fresh worker: that is our start-up, not the student's
    # answer, so it runs under the start-up limit and the answer keeps its whole time limit.
    from symwork.answers import sandbox as sandboxes

    if sandbox == "in-process":
        return
    box = sandbox if sandbox is not None else sandboxes.default_sandbox()
    try:
        box.run("symwork.answers.checker:load_library_in_process", timeout=sandboxes.STARTUP_TIMEOUT)
    except SymworkError:
        pass  # the check itself reports what is wrong


def format_check(result: Mapping[str, Any]) -> str:
    """One or two lines: the verdict, then the feedback."""
    verdict = result["verdict"]
    head = "correct" if verdict == "equal" else ("not correct" if verdict == "different" else verdict)
    if verdict == "error":
        head = f"error: {result['error']}"
    feedback = result.get("feedback") or ""
    return f"{head}\n  {feedback}" if feedback and feedback != result.get("error") else head


def _feedback_for(result: Mapping[str, Any]) -> str:
    if result["verdict"] == "error":
        return str(result.get("error") or "")
    if result["verdict"] == "undecided":
        return f"Could not decide: {result.get('detail') or 'no verdict'}."
    return ""


def _shape_text(expr: Any) -> str:
    import sympy as sp

    if isinstance(expr, sp.MatrixBase):
        rows, cols = expr.shape
        kind = " (a column vector)" if cols == 1 and rows > 1 else (" (a row vector)" if rows == 1 and cols > 1 else "")
        return f"{rows}x{cols}{kind}"
    if isinstance(expr, sp.NDimArray):
        return "x".join(str(d) for d in expr.shape)
    return "scalar"


def _check_exercise(derivation: Any, answer_text: str, seed: int) -> dict[str, Any]:
    import sympy as sp

    from symwork.compare import compare
    from symwork.parse import parse

    exercise = derivation.make_exercise(seed)
    expected = exercise.answer
    if isinstance(expected, (list, tuple)):
        expected = sp.ImmutableMatrix(expected)
    shape = _shape_text(expected)
    if isinstance(expected, sp.NDimArray) and len(expected.shape) > 2:
        out = _result("undecided", method="shape", detail="the answer is an array of more than two axes")
        out.update(
            expected_shape=shape,
            feedback=f"This exercise's answer has shape {shape}; typed answers of more than two axes are not supported yet.",
        )
        return out
    student = parse(answer_text)
    if isinstance(expected, sp.MatrixBase) and expected.shape == (1, 1) and not isinstance(student, sp.MatrixBase):
        student = sp.ImmutableMatrix([[student]])
    free = sorted(str(s) for s in getattr(student, "free_symbols", set()))
    if free:
        out = _result("different", method="symbols", detail="the answer contains symbols")
        out.update(
            expected_shape=shape,
            feedback=f"The exercise asks for numbers; your answer still contains {', '.join(free)}. Substitute the given values.",
        )
        return out
    verdict = compare(student, expected, seed=seed)
    out = _from_verdict(verdict)
    out["expected_shape"] = shape
    out["feedback"] = _explain(verdict, student, expected, compare_kwargs={"seed": seed})
    return out


def _explain(verdict: Any, student: Any, expected: Any, *, compare_kwargs: Mapping[str, Any]) -> str:
    """Feedback in a student's terms: wrong shape, a recognised slip, or where the answers disagree."""
    import sympy as sp

    from symwork.compare import compare

    if verdict.status == "equal":
        return "Correct."
    if verdict.status == "undecided":
        return f"Could not decide: {verdict.detail or 'too few points where both are defined'}."
    if verdict.method == "shape":
        hint = f"Wrong shape: your answer is {_shape_text(student)}, the answer is {_shape_text(expected)}."
        if isinstance(student, sp.MatrixBase) and student.T.shape == _shape(expected):
            if compare(student.T, expected, **compare_kwargs).equal:
                hint += " Transposing your answer gives the right result."
        return hint
    for label, transform in SLIPS:
        try:
            candidate = transform(expected)
            if candidate is None or _shape(candidate) != _shape(student):
                continue
            if compare(student, candidate, **compare_kwargs).equal:
                return f"Close: {label}."
        except (SymworkError, ValueError, TypeError, ArithmeticError):
            continue
    example = _counterexample(verdict.counterexample)
    if example:
        return f"Not equal: {_describe_point(example).replace(' against ', ' (yours) against ')} (expected)."
    return "Not equal."


def _shape(expr: Any) -> tuple[int, ...]:
    return tuple(expr.shape) if hasattr(expr, "shape") else ()


def _transposed(expected: Any) -> Any:
    import sympy as sp

    if isinstance(expected, sp.MatrixBase) and expected.shape[0] == expected.shape[1] and expected != expected.T:
        return expected.T
    return None


#: Common slips, tried in order: (what the student did, the reference transformed that way).
SLIPS: tuple[tuple[str, Any], ...] = (
    ("your answer has the opposite sign (a sign error)", lambda e: -e),
    ("your answer is twice the right one (an extra factor of 2)", lambda e: 2 * e),
    ("your answer is half the right one (a missing factor of 2)", lambda e: e / 2),
    ("your matrix is the transpose of the right one", _transposed),
)


# --- general form -------------------------------------------------------------------------------------


def _check_general(derivation: Any, answer_text: str) -> dict[str, Any]:
    import sympy as sp

    from symwork.compare import compare
    from symwork.core import instances
    from symwork.core import instances as audit
    from symwork.parse import parse

    symbolic_rhs = derivation.body.result.rhs
    reason = _untypable(symbolic_rhs)
    if reason:
        out = _result("undecided", method="general form", detail=reason)
        out.update(
            expected_shape=None,
            feedback=f"The general result of {derivation.id!r} {reason}; check a numeric exercise instead with --seed N.",
        )
        return out
    sizes = audit.instance_sizes(derivation)[0]
    instance = derivation.instance(**sizes)
    body = instance.body
    student = parse(answer_text)
    if isinstance(student, sp.MatrixBase):
        out = _result("different", method="shape", detail="a matrix against a scalar expression")
        out.update(
            expected_shape="scalar expression",
            feedback="Wrong shape: the result is one scalar expression (in index notation); you gave a matrix.",
        )
        return out
    mapped = map_symbols(student, derivation, instance)
    reference = instances.prepare(body.result.rhs, body)
    left = instances.prepare(mapped, body)
    free = {*getattr(left, "free_symbols", set()), *getattr(reference, "free_symbols", set())}
    indices = [(index, int(bound)) for index, bound in body.indices.items() if index in free]
    kwargs: dict[str, Any] = {"sampler": audit.point_sampler(instance), "indices": indices, "seed": 0, "points": 8}
    verdict = compare(left, reference, **kwargs)
    out = _from_verdict(verdict)
    index_names = ", ".join(str(i) for i, _ in indices)
    out["expected_shape"] = f"scalar expression (free indices {index_names})" if index_names else "scalar expression"
    out["feedback"] = _explain(verdict, left, reference, compare_kwargs=kwargs)
    if verdict.status == "different" and verdict.counterexample:
        out["feedback"] += f" (checked with sizes {dict(instance.sizes)})" if instance.sizes else ""
    return out


def _untypable(rhs: Any) -> str:
    import sympy as sp

    if not isinstance(rhs, sp.Basic) or isinstance(rhs, (sp.MatrixBase, sp.MatrixExpr)) or rhs.has(sp.MatrixSymbol):
        return "is written with vectors and matrices"
    if rhs.has(sp.Integral, sp.Derivative, sp.Subs):
        return "contains integrals or derivatives"
    odd = [s.name for s in rhs.free_symbols if isinstance(s, sp.Symbol) and not _IDENTIFIER.match(s.name)]
    if odd:
        return f"uses notation that cannot be typed ({odd[0]!r})"
    return ""


def map_symbols(student: Any, derivation: Any, instance: Any) -> Any:
    """Replace the student's symbols by the derivation's objects by name (see the module docstring)."""
    import sympy as sp

    body = instance.body
    scalars: dict[str, Any] = {}
    bases: dict[str, tuple[Any, int]] = {}
    for item in (*derivation.inputs, *body.variables):
        if item.shape:
            bases[item.name] = (sp.IndexedBase(item.name), len(item.shape))
    for definition in body.definitions:
        symbol = definition.symbol
        if isinstance(symbol, sp.IndexedBase):
            bases[str(symbol.label)] = (symbol, len(definition.indices))
        elif isinstance(symbol, sp.Symbol):
            scalars[symbol.name] = symbol
    expressions = [body.result.rhs, *(d.expr for d in body.definitions if isinstance(d.expr, sp.Basic))]
    for expr in expressions:
        if not isinstance(expr, sp.Basic):
            continue
        for indexed in expr.atoms(sp.Indexed):
            bases.setdefault(str(indexed.base.label), (indexed.base, len(indexed.indices)))
        for symbol in expr.free_symbols:
            if isinstance(symbol, sp.Symbol):
                scalars.setdefault(symbol.name, symbol)
    for item in derivation.inputs:
        if not item.shape:
            scalars.setdefault(item.name, sp.Symbol(item.name))
    index_symbols = {str(index): index for index in body.indices}
    sizes = {name: sp.Integer(value) for name, value in instance.sizes.items()}
    bound = {str(var) for node in student.atoms(sp.Sum, sp.Product) for var, *_ in node.limits}

    def index_for(letter: str) -> Any:
        if letter.isdigit():
            return sp.Integer(int(letter))
        if letter in index_symbols:
            return index_symbols[letter]
        return sp.Symbol(letter, integer=True)

    def resolve(name: str) -> Any:
        name = ALIASES.get(name, name) if name not in scalars and ALIASES.get(name) in scalars else name
        if name in index_symbols:
            return index_symbols[name]
        if name in bound:
            return sp.Symbol(name, integer=True)
        if name in scalars:
            return scalars[name]
        if name in sizes:
            return sizes[name]
        base_name, _, sub = name.partition("_")
        if sub and base_name in bases:
            base, rank = bases[base_name]
            letters = list(sub) if len(sub) == rank else ([sub] if rank == 1 else None)
            if letters is not None:
                return base[tuple(index_for(letter) for letter in letters)]
        known = sorted({*scalars, *(f"{b}_{'ijkl'[:r]}" for b, (_, r) in bases.items()), *index_symbols})
        raise CheckError(
            f"Your answer uses {name!r}, which is not a name in this derivation; use names such as {', '.join(known[:8])}."
        )

    mapping = {s: resolve(s.name) for s in student.free_symbols if isinstance(s, sp.Symbol)}
    # Bound variables of typed sums are not free symbols; map them too, so s_k and the sum's k agree.
    for node in student.atoms(sp.Sum, sp.Product):
        for var, *_ in node.limits:
            mapping.setdefault(var, resolve(var.name))
    return student.xreplace(mapping)
