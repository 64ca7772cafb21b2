"""Tests over the whole derivation library: every step, every result, every exercise generator."""

from __future__ import annotations

import numpy as np
import pytest

import symwork
from symwork import audit as check
from symwork.core import registry

# Not strict: a derivation module that fails to load fails test_library_every_module_loads below,
# not the collection of every other derivation's tests.
ALL = symwork.derivations(strict=False)
IDS = [item.id for item in ALL]
WITH_EXERCISE = [item for item in ALL if item.exercise is not None]


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_every_step_holds_on_every_instance(item: symwork.Derivation) -> None:
    for sizes in check.instance_sizes(item):
        for result in check.check_steps(item.instance(**sizes), seed=7):
            assert result.verdict.status == "equal", (sizes, result)


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_result_matches_independent_computation(item: symwork.Derivation) -> None:
    assert item.reference is not None or item.forward is not None
    for sizes in check.instance_sizes(item):
        assert check.check_result(item.instance(**sizes), seed=11, points=4) == []


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_has_question_title_and_justified_steps(item: symwork.Derivation) -> None:
    assert item.title and item.question
    assert item.body.steps, "a derivation needs at least one step"
    assert all(step.why.strip() for step in (*item.body.steps, item.body.result))


@pytest.mark.parametrize("item", WITH_EXERCISE, ids=[item.id for item in WITH_EXERCISE])
def test_library_exercise_stress_200_seeds(item: symwork.Derivation) -> None:
    assert check.stress_exercise(item, range(200)) == []


def test_library_every_module_loads() -> None:
    assert registry.load_errors() == []


def test_library_every_derivation_has_an_exercise() -> None:
    assert [item.id for item in ALL if item.exercise is None] == []


@pytest.mark.parametrize("item", WITH_EXERCISE, ids=[item.id for item in WITH_EXERCISE])
def test_library_exercise_is_deterministic_per_seed(item: symwork.Derivation) -> None:
    first, again, other = item.make_exercise(5), item.make_exercise(5), item.make_exercise(6)
    assert first == again
    assert first.prompt and first.answer is not None
    assert isinstance(other.prompt, str)


def test_library_evaluate_rejects_missing_input() -> None:
    with pytest.raises(symwork.SymworkError, match="needs z"):
        symwork.get("softmax-jacobian").evaluate()


def test_library_evaluate_rejects_misshapen_input() -> None:
    with pytest.raises(symwork.SymworkError, match=r"shape \(n,\)"):
        symwork.get("softmax-jacobian").evaluate(z=np.zeros((2, 2)))


def test_library_unknown_id_names_close_matches() -> None:
    with pytest.raises(symwork.SymworkError, match="softmax-jacobian"):
        symwork.get("softmax-jacobain")


# --- printed lines: one structure printed and checked (issue 11) -----------------------------------------

import sympy as sp  # noqa: E402 - the tests below need SymPy; the ones above only the public API

from symwork.core import printed  # noqa: E402
from symwork.publish import printing, problems  # noqa: E402

CHAIN_DERIVATION = '''
"""A chain that starts midway, as power iteration's did: the key must pair the result with its own chain."""
import sympy as sp
from symwork import Body, Exercise, Input, Step, derivation

x = sp.Symbol("x", real=True)
y = sp.Symbol("y")


@derivation(id="midway-chain", title="A chain that starts midway", topic="calculus", question="Show it.",
            inputs=[Input("x")], forward=lambda x: x**2 + x, wrt="x", elementwise=True)
def midway(**sizes):
    return Body(
        steps=(
            Step(lhs=sp.Derivative(x**2, x), rhs=2 * x, why="power rule"),
            Step(lhs=sp.Derivative(x**2 + x, x), rhs=2 * x + 1, why="power rule, twice"),
        ),
        result=Step(rhs=sp.Mul(2, x + sp.Rational(1, 2), evaluate=False), why="factor out 2"),
    )
'''


def _old_key(body: symwork.Body) -> printed.Equation:
    """The key as it was printed before issue 11: the result's right side with the derivation's first left side."""
    result = body.result
    lhs = result.lhs if result.lhs is not None else next(step.lhs for step in body.steps if step.lhs is not None)
    return printed.Equation(lhs, result.rhs, result.why, "=", lhs, 0)


def test_library_audit_fails_when_a_printed_line_is_broken(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "midway.py").write_text(CHAIN_DERIVATION)
    registry.add_library(folder)
    item = symwork.get("midway-chain")
    assert symwork.audit(item).status == "ok"
    assert printing.latex(printed.key(item.body).lhs) == r"\frac{d}{d x} \left(x^{2} + x\right)"
    # Break one printed line on purpose: the key pairs the first left side with the last right side.
    monkeypatch.setattr(printed, "key", _old_key)
    row = symwork.audit(item)
    assert row.status == "FAIL"
    assert any(failure.startswith("key at sizes") for failure in row.failures), row.failures


@pytest.mark.parametrize(
    ("derivation_id", "key"),
    [
        ("power-iteration", r"e_{k} = \left(\frac{\lambda_{2}}{\lambda_{1}}\right)^{2 k}"),
        ("gaussian-entropy", r"H = \frac{\ln\left(2 \pi e \sigma^{2}\right)}{2}"),
        ("softmax-temperature", r"\frac{\partial s_{i}}{\partial T} = "),
    ],
)
def test_library_key_prints_the_results_own_equation(derivation_id: str, key: str) -> None:
    # The three false keys of the reader's errata (findings 1-3), now the results' own equations.
    assert problems.result_tex(symwork.get(derivation_id)).startswith(key)


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_key_and_rows_hold_as_printed(item: symwork.Derivation) -> None:
    sizes = check.instance_sizes(item)[0]
    lines = check.check_steps(item.instance(**sizes), seed=3)
    assert {line.step for line in lines} >= {check.RESULT}
    assert all(line.verdict.status == "equal" for line in lines), [line for line in lines if line.verdict.status != "equal"]


@pytest.mark.parametrize("item", ALL, ids=IDS)
def test_library_no_repeated_lines(item: symwork.Derivation) -> None:
    # Finding 12: a line that prints nothing new (dirichlet-smoothing's, adam-bias-correction's).
    assert check.repeated_lines(item) == []


@pytest.mark.parametrize("item", WITH_EXERCISE, ids=[item.id for item in WITH_EXERCISE])
def test_library_every_part_is_answered_and_checked(item: symwork.Derivation) -> None:
    exercise = item.make_exercise(0)
    assert exercise.parts and [part.label for part in exercise.parts] == list("abcdefgh"[: len(exercise.parts)])
    assert all(part.answer is not None for part in exercise.parts)
    assert check.check_exercise(item, exercise) == []


@pytest.mark.parametrize("item", WITH_EXERCISE, ids=[item.id for item in WITH_EXERCISE])
def test_library_printed_answers_read_back_equal(item: symwork.Derivation) -> None:
    # What the key prints is what a student can type: every printed value answer parses back to itself.
    for part in item.make_exercise(0).parts:
        if part.is_word or isinstance(part.answer, sp.NDimArray):
            continue
        assert symwork.compare(symwork.parse(printing.latex(part.answer)), part.answer).status == "equal", part


@pytest.mark.parametrize(
    ("derivation_id", "names"),
    [
        ("linear-independence", [r"\det(V^\top V)", r"\bm{u}, \bm{v}\ \text{are linearly}"]),
        ("matrix-transformations", ["M", r"|\det M|"]),
        ("eigendecomposition", [r"(\lambda_1, \lambda_2)", "Q"]),
        ("svd-low-rank", [r"(\sigma_1, \sigma_2)", r"\|A - A_1\|_F^2", r"\|A - A_2\|_F^2"]),
        ("linear-attention-complexity", [r"C_{\mathrm{soft}}", r"C_{\mathrm{lin}}", r"\text{the cheaper order}"]),
        ("cross-entropy-kl", [r"H(\bm{p})", r"\KL(\bm{p}\,\|\,\bm{q})", r"H(\bm{p}, \bm{q})"]),
        ("mse-gaussian-likelihood", [r"\operatorname{MSE}", r"-\frac{1}{N}\ln L"]),
        ("perplexity", [r"\overline{\mathrm{NLL}}", r"\text{bits per token}", r"\mathrm{PPL}"]),
        ("precision-recall-f1", ["P", "R", "F_1"]),
        ("bayes-rule", [r"P(D \mid +)", r"P(\neg D \mid +)"]),
        ("hoeffding-sample-size", [r"n_{\min}", r"\lceil n_{\min} \rceil"]),
    ],
)
def test_library_exercise_answers_every_part_it_asks(derivation_id: str, names: list[str]) -> None:
    # Finding 6: answers that omitted parts their exercise asks for; each part is now printed and checked.
    exercise = symwork.get(derivation_id).make_exercise(0)
    assert [part.name for part in exercise.parts] == names
    assert all(part.ask for part in exercise.parts)


def test_library_exercise_part_selects_by_label() -> None:
    exercise = symwork.get("linear-independence").make_exercise(1)
    assert exercise.part("b").answer == "dependent" and exercise.part("b").choices == ("dependent", "independent")
    assert exercise.part("a").answer == 0
    with pytest.raises(symwork.SymworkError, match="has no part 'c'; its parts are 'a', 'b'"):
        exercise.part("c")


def test_library_word_answer_follows_the_sign_and_its_reference() -> None:
    words = {symwork.get("linear-attention-complexity").make_exercise(seed).part("c").answer for seed in range(40)}
    assert words <= {"softmax", "linear", "equal"} and {"softmax", "linear"} <= words


def test_library_hoeffding_answer_keeps_its_logarithm_and_counts_samples() -> None:
    # Finding 7 and the engine's _tidy: 1250 ln 40 stays so (no 1600-digit integer), and the count is the ceiling.
    exercise = symwork.get("hoeffding-sample-size").make_exercise(0)
    n_min, count = exercise.part("a").answer, exercise.part("b").answer
    assert n_min == 1250 * sp.log(200) and count == 6623 == int(sp.ceiling(n_min))
    assert printing.latex(n_min) == r"1250 \ln 200"


def test_library_tidy_collects_logarithms_of_fractions() -> None:
    messy = sp.log(sp.Rational(4, 9)) / 6 + sp.log(6) / 3 + 2 * sp.log(sp.Rational(16, 3)) / 3
    messy += -sp.log(3) / 6 - 2 * sp.log(sp.Rational(2, 3)) / 3
    assert instances_tidy(messy) == 8 * sp.log(2) / 3 - sp.log(3) / 6
    assert instances_tidy(1250 * sp.log(40)) == 1250 * sp.log(40)


def instances_tidy(value: sp.Expr) -> sp.Expr:
    from symwork.core import instances  # the engine's own tidying of exact answers

    return instances.tidy_all(value)


@pytest.mark.parametrize(
    ("derivation_id", "label"),
    [
        ("sigmoid-derivative", r"\sigma'\left("),
        ("tanh-derivative", r"\tanh'\left("),
        ("gelu-derivative", r"\GELU'\left("),
        ("quadratic-form-gradient", r"\nabla f\bigl(("),
    ],
)
def test_library_labels_show_the_evaluated_point(derivation_id: str, label: str) -> None:
    # Finding 13: σ'(ln 4) = 4/25, not σ'(x) = 4/25.
    text = problems.answer_tex(symwork.get(derivation_id).make_exercise(0))
    assert text.startswith(label) and "(x)" not in text


CLAIMS = '''
"""Claims: one false on its domain, one true; and an exercise whose answer ignores A at the drawn point."""
import numpy as np
import sympy as sp
from symwork import Body, Exercise, Input, Step, derivation

x = sp.Symbol("x", real=True)


@derivation(id="false-claim", title="A false claim", topic="calculus", question="Is x^2 <= x?",
            inputs=[Input("x")], forward=lambda x: x**2, wrt="x", elementwise=True)
def false_claim(**sizes):
    return Body(
        steps=(Step(lhs=x**2, rhs=x, relation="<=", why="false for x > 1 and x < 0"),),
        result=Step(lhs=sp.Derivative(x**2, x), rhs=2 * x, why="power rule"),
    )


@derivation(id="true-claim", title="A true claim", topic="calculus", question="Is x^2 + 1 >= 2x?",
            inputs=[Input("x")], forward=lambda x: x**2, wrt="x", elementwise=True)
def true_claim(**sizes):
    return Body(
        steps=(Step(lhs=x**2 + 1, rhs=2 * x, relation=">=", why="(x - 1)^2 >= 0"),),
        result=Step(lhs=sp.Derivative(x**2, x), rhs=2 * x, why="power rule"),
    )


a = sp.IndexedBase("A")
v = sp.IndexedBase("x")
i, j = sp.symbols("i j", integer=True, positive=True)


def _at_zero(rng):
    return Exercise(prompt="At x = 0.", values={"A": [[1, 2], [3, 4]], "x": [0, 0]}, answer_label="Ax")


@derivation(id="degenerate-draw", title="Ax at 0", topic="calculus", question="Compute Ax.",
            inputs=[Input("A", ("n", "n")), Input("x", ("n",))], sizes={"n": (2,)},
            reference=lambda A, x: A @ x, exercise=_at_zero)
def degenerate(n):
    return Body(steps=(Step(lhs=sp.Sum(a[i, j] * v[j], (j, 1, n)), rhs=sp.Sum(v[j] * a[i, j], (j, 1, n)), why="commute"),),
                result=Step(rhs=sp.Sum(a[i, j] * v[j], (j, 1, n)), why="as written"), indices={i: n, j: n}, result_indices=(i,))
'''


def test_library_claims_are_sampled_with_a_counterexample(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "claims"
    folder.mkdir()
    (folder / "claims.py").write_text(CLAIMS)
    registry.add_library(folder)
    false_row, true_row = symwork.audit(symwork.get("false-claim")), symwork.audit(symwork.get("true-claim"))
    assert true_row.status == "ok" and true_row.claims == 1
    assert false_row.status == "FAIL" and "step 1" in false_row.failures[0] and "<= " in false_row.failures[0]
    lines = check.check_steps(symwork.get("false-claim").instance(), seed=0)
    counterexample = lines[0].verdict.counterexample
    assert counterexample is not None and counterexample["lhs"] > counterexample["rhs"]


def test_library_stress_reports_a_degenerate_draw(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Finding 5's exercise, in miniature: at x = 0 the answer is 0 for every A, so it tests nothing about A.
    folder = tmp_path / "degenerate"
    folder.mkdir()
    (folder / "claims.py").write_text(CLAIMS)
    registry.add_library(folder)
    failures = check.stress_exercise(symwork.get("degenerate-draw"), range(2))
    assert failures and all("does not change with A" in failure for failure in failures)


def test_library_library_has_claims_on_their_domains() -> None:
    # Item 3: Hoeffding's lemma, the step-size condition, Eckart-Young, Gibbs' inequality, concavity, PSD.
    for derivation_id in ("hoeffding-sample-size", "gradient-descent-quadratic", "svd-low-rank", "cross-entropy-kl", "bernoulli-mle", "logsumexp-hessian"):
        rows = printed.solution(symwork.get(derivation_id).body)
        assert any(row.is_claim for row in rows), derivation_id


def test_library_uses_are_known_ids_and_attention_uses_the_softmax_jacobian() -> None:
    known = set(IDS)
    assert all(set(item.uses) <= known for item in ALL)
    assert "softmax-jacobian" in symwork.get("attention-jacobian-q").uses
    assert "softmax-jacobian" in symwork.get("attention-jacobian-k").uses
