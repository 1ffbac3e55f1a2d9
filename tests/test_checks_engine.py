"""Tests of what every checker shares: the references pass with one line, every mutant of
test_checks_steps and test_checks_exercises is caught and named, the stub gets a friendly line
(or fails, under a grader), the registry is complete, hints and solutions are shown."""

import ast
import inspect
import pkgutil
import textwrap
import time

import pytest
from checks_testing import assert_names, message_of
from test_checks_attention import MUTANTS as ATTENTION_MUTANTS
from test_checks_exercises import OTHER_MUTANTS
from test_checks_rnn_step_backward import BACKWARD_EXERCISE
from test_checks_softmax import SOFTMAX_MUTANTS
from test_checks_steps import STEP_MUTANTS

from rnnbook import attention, cells, charlm, checks, solutions

ALL_MUTANTS = {name: {**STEP_MUTANTS, **BACKWARD_EXERCISE, **OTHER_MUTANTS, **SOFTMAX_MUTANTS,
                      **ATTENTION_MUTANTS}[name]
               for name in checks.EXERCISES}
MUTANT_PARAMS = [
    pytest.param(name, k, id=f"{name}-{getattr(m[0], '__name__', k)}")
    for name, (_, mutants) in ALL_MUTANTS.items()
    for k, m in enumerate(mutants)
]

REFERENCES = {
    "rnn_step": cells.rnn_step,
    "rnn_step_backward": cells.rnn_step_backward,
    "lstm_step": cells.lstm_step,
    "gru_step": cells.gru_step,
    "one_hot": solutions.one_hot_batch,
    "last_valid_state": solutions.last_valid_state,
    "clip_by_global_norm": solutions.clip_by_global_norm,
    "architectures": dict(solutions.TASK_ARCHITECTURES),
    "softmax_temperature": charlm.softmax_temperature,
    "attention_step": attention.attention_step,
}


def stub(*args):
    raise NotImplementedError("write your code here")


STUBS = {name: dict.fromkeys(checks.ARCHITECTURE_TASKS) if name == "architectures" else stub
         for name in checks.EXERCISES}


@pytest.fixture
def learner(monkeypatch):
    """No grader in the environment, whatever the machine running the tests sets."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("RNNBOOK_GRADING", raising=False)


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_the_reference_passes_with_one_short_line(name, capsys):
    check, _ = ALL_MUTANTS[name]
    assert check(REFERENCES[name]) is None
    out = capsys.readouterr().out
    assert out.startswith(f"{name}: correct, ") and out.count("\n") == 1
    check(REFERENCES[name])
    assert capsys.readouterr().out == out  # deterministic, so that nbval can compare it


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_at_least_eight_distinct_mistakes_per_exercise(name):
    _, mutants = ALL_MUTANTS[name]
    keywords = [keyword for _, keyword in mutants]
    assert len(mutants) >= 8 and len(set(keywords)) == len(keywords)


@pytest.mark.parametrize("name, k", MUTANT_PARAMS)
def test_each_mistake_is_caught_and_named(name, k):
    check, mutants = ALL_MUTANTS[name]
    mutant, keyword = mutants[k]
    message = assert_names(check, mutant, keyword)
    assert message.startswith(f"{name}: ")
    with pytest.raises(AssertionError) as again:
        check(mutant)
    assert message_of(again.value) == message  # deterministic


def test_a_diagnosis_names_one_culprit_or_two():
    for name, (check, mutants) in ALL_MUTANTS.items():
        for mutant, _ in mutants:
            with pytest.raises(AssertionError) as caught:
                check(mutant)
            assert message_of(caught.value).count("; and ") <= 1, (name, str(caught.value))


def raised(check, answer):
    with pytest.raises(AssertionError) as caught:
        check(answer)
    return str(caught.value)


def test_under_a_grader_a_message_is_wrapped_to_read_well_in_a_traceback(monkeypatch,
                                                                          learner):
    check, mutants = ALL_MUTANTS["gru_step"]
    one_line = raised(check, mutants[0][0])
    assert "\n" not in one_line and len(one_line) > 100  # a notebook wraps it to the page
    monkeypatch.setenv("RNNBOOK_GRADING", "1")
    wrapped = raised(check, mutants[0][0])
    # Wrapping only breaks lines at spaces: the one-line message is the checker's own.
    assert "\n" in wrapped and message_of(wrapped) == one_line
    for check, mutants in ALL_MUTANTS.values():
        for mutant, _ in mutants:
            lines = raised(check, mutant).splitlines()
            assert all(len(line) <= checks.engine.WIDTH or " " not in line for line in lines)


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_a_stub_prints_a_friendly_line_and_does_not_raise(name, capsys, learner):
    check, _ = ALL_MUTANTS[name]
    assert check(STUBS[name]) is None
    out = capsys.readouterr().out
    assert out == (f"{name}: not implemented yet. When it is, run this cell again; "
                   f'checks.hint("{name}") gives a hint, checks.show_solution("{name}") the '
                   "solution.\n")


@pytest.mark.parametrize("variable, value", [
    ("NBGRADER_EXECUTION", "autograde"), ("NBGRADER_EXECUTION", "validate"),
    ("RNNBOOK_GRADING", "1"),
])
@pytest.mark.parametrize("name", checks.EXERCISES)
def test_under_a_grader_a_stub_fails_as_not_attempted(name, variable, value, monkeypatch,
                                                      capsys, learner):
    monkeypatch.setenv(variable, value)
    check, _ = ALL_MUTANTS[name]
    with pytest.raises(AssertionError) as caught:
        check(STUBS[name])
    still = "every answer is still None" if name == "architectures" else (
        "your function still raises NotImplementedError")
    assert message_of(caught.value) == f"{name}: not attempted: {still}"
    assert capsys.readouterr().out == ""
    check(REFERENCES[name])  # a right answer still passes with its one line
    assert capsys.readouterr().out.startswith(f"{name}: correct, ")


def test_rnnbook_grading_other_than_1_is_not_grading(monkeypatch, capsys, learner):
    monkeypatch.setenv("RNNBOOK_GRADING", "0")
    checks.check_rnn_step(stub)
    assert "not implemented yet" in capsys.readouterr().out


def test_the_checkers_frames_are_hidden_from_a_traceback():
    # pytest and IPython leave out the frames that set __tracebackhide__: a grader's report
    # shows the learner's cell and the message, not the checker's insides.
    with pytest.raises(AssertionError) as caught:
        checks.check_rnn_step(STEP_MUTANTS["rnn_step"][1][0][0])
    tb, ours = caught.tb, []
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.startswith(checks.engine._PACKAGE):
            ours.append(tb.tb_frame)
        tb = tb.tb_next
    assert len(ours) == 2  # check_rnn_step and mark, which raises
    assert all(frame.f_locals.get("__tracebackhide__") for frame in ours)


def test_checkers_reject_a_non_function():
    with pytest.raises(TypeError, match="fn: expected a callable, got int"):
        checks.check_rnn_step(3)


# The exercises whose checker recomputes classic mistakes as variants of the reference.
WITH_VARIANTS = pytest.mark.parametrize(
    "ex", [ex for ex in checks.EXERCISES.values() if ex.variant], ids=lambda ex: ex.name)


def expected(ex, case):
    return checks.engine.as_outputs(ex.reference(*case.args), ex)


@WITH_VARIANTS
def test_every_variant_without_mistakes_equals_the_reference(ex):
    for case in ex.cases():
        assert checks.engine.close(checks.engine.as_outputs(ex.variant(*case.args), ex),
                                   expected(ex, case))


@WITH_VARIANTS
def test_every_known_mistake_changes_the_answer_on_some_case(ex):
    # Otherwise a learner could make it and still pass, or two mistakes could not be told apart.
    for mistake in ex.mistakes:
        matches = [checks.engine.variant_matches(ex, case, expected(ex, case), mistake.recipe)
                   for case in ex.cases()]
        assert not all(matches), mistake.culprit


@WITH_VARIANTS
def test_the_main_case_tells_every_mistake_from_every_other(ex):
    case = ex.cases()[0]
    for a in ex.mistakes:
        try:
            got = checks.engine.as_outputs(ex.variant(*case.args, **a.recipe), ex)
        except (ValueError, IndexError):
            continue  # this mistake is diagnosed on another case
        same = [b.culprit for b in ex.mistakes
                if b is not a and checks.engine.variant_matches(ex, case, got, b.recipe)]
        assert not same, (a.culprit, same)


# ============================================================================ the registry


def test_the_registry_lists_every_exercise_and_its_checker():
    names = ["one_hot", "rnn_step", "rnn_step_backward", "architectures", "last_valid_state",
             "clip_by_global_norm", "lstm_step", "gru_step", "softmax_temperature",
             "attention_step"]
    assert list(checks.EXERCISES) == names
    assert all(checks.EXERCISES[n].name == n for n in names)
    checkers = {n for n in checks.__all__ if n.startswith("check_")}
    assert checkers == {f"check_{n}" for n in names}
    # every module of the package but the engine and hints holds exercises, all registered
    records = {id(v) for module in _modules() for v in vars(module).values()
               if isinstance(v, checks.engine.Exercise)}
    assert records == {id(ex) for ex in checks.EXERCISES.values()}


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_each_exercise_has_hints_and_a_solution(name, capsys):
    ex = checks.EXERCISES[name]
    assert len(ex.hints) >= 2 and all(isinstance(h, str) and h for h in ex.hints)
    assert ex.solution and (ex.grade or (ex.reference in ex.solution and ex.cases))
    checks.show_solution(name)
    assert capsys.readouterr().out.strip()


def _modules():
    return [__import__(f"rnnbook.checks.{m.name}", fromlist=["_"])
            for m in pkgutil.iter_modules(checks.__path__)]


def _private_uses(source):
    """The private names of other modules that ``source`` imports or reads: "module._x"."""
    tree = ast.parse(source)
    imported = {alias.asname or alias.name.split(".")[-1]
                for node in ast.walk(tree) if isinstance(node, (ast.Import, ast.ImportFrom))
                for alias in node.names}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            # _validate is the one private module every module shares, by design (README).
            found += [f"{node.module}.{a.name}" for a in node.names
                      if a.name.startswith("_") and a.name != "_validate"]
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in imported and node.attr.startswith("_")
                and not node.attr.startswith("__")):
            found.append(f"{node.value.id}.{node.attr}")
    return found


def test_checks_imports_no_private_name_of_another_module():
    assert _private_uses("from rnnbook import cells\ncells._GATES\n") == ["cells._GATES"]
    assert _private_uses("from rnnbook.cells import _blocks\n") == ["rnnbook.cells._blocks"]
    for module in [checks, *_modules(), solutions]:
        assert _private_uses(inspect.getsource(module)) == [], module.__name__


# ============================================================================ hints, solutions


def test_hints_come_one_at_a_time_then_point_to_the_solution(capsys):
    checks.hint("lstm_step", reset=True)
    checks.hint("lstm_step")
    checks.hint("lstm_step")
    checks.hint("lstm_step")
    lines = capsys.readouterr().out.splitlines()
    assert [line[:24] for line in lines[:3]] == [
        "Hint 1/3 for lstm_step: ", "Hint 2/3 for lstm_step: ", "Hint 3/3 for lstm_step: "]
    assert lines[3].startswith("No more hints for lstm_step: checks.show_solution('lstm_step')")
    checks.hint("lstm_step", reset=True)
    assert capsys.readouterr().out.startswith("Hint 1/3 for lstm_step: ")
    checks.hint("gru_step", reset=True)  # each exercise keeps its own count
    assert capsys.readouterr().out.startswith("Hint 1/3 for gru_step: ")


@pytest.mark.parametrize("name", checks.EXERCISES)
def test_show_solution_prints_the_reference_source(name, capsys):
    checks.show_solution(name)
    out = capsys.readouterr().out
    if name == "architectures":
        assert out.startswith("# rnnbook.solutions.TASK_ARCHITECTURES\nTASK_ARCHITECTURES = {")
        namespace = {}
        exec(out, namespace)  # the printed text is the real assignment
        assert namespace["TASK_ARCHITECTURES"] == solutions.TASK_ARCHITECTURES
    else:
        reference = REFERENCES[name]
        assert f"def {reference.__name__}(" in out and "return" in out
        compile(textwrap.dedent(out), name, "exec")  # whole definitions, nothing cut


@pytest.mark.parametrize("call", [checks.hint, checks.show_solution])
def test_an_unknown_exercise_name_lists_the_valid_ones(call):
    with pytest.raises(ValueError, match="name: expected one of 'one_hot', 'rnn_step'"):
        call("lstm")
    with pytest.raises(TypeError, match="name: expected one of"):
        call(5)


def test_hint_reset_must_be_a_bool():
    with pytest.raises(TypeError, match="reset: expected True or False"):
        checks.hint("rnn_step", reset="yes")


def test_each_check_takes_well_under_a_second():
    # CPU time, so that other processes on a busy machine do not count.
    slowest = 0.0
    for check, mutants in ALL_MUTANTS.values():
        for mutant, _ in mutants:
            start = time.process_time()
            with pytest.raises(AssertionError):
                check(mutant)
            slowest = max(slowest, time.process_time() - start)
    assert slowest < 0.5
