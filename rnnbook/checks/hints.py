"""Hints and solutions: what ``checks.hint`` and ``checks.show_solution`` print for an exercise.

State: ``_shown`` counts the hints shown per exercise (one count per kernel).
"""

import ast
import inspect

from rnnbook import solutions

_shown = {}  # exercise name -> how many of its hints have been shown in this kernel


def print_hint(ex, reset=False):
    """Print the next of exercise ``ex``'s hints, one more per call; reset=True starts over."""
    shown = 0 if reset else _shown.get(ex.name, 0)
    if shown >= len(ex.hints):
        print(f"No more hints for {ex.name}: checks.show_solution({ex.name!r}) prints a "
              f"solution, and checks.hint({ex.name!r}, reset=True) starts the hints again.")
        return
    _shown[ex.name] = shown + 1
    print(f"Hint {shown + 1}/{len(ex.hints)} for {ex.name}: {ex.hints[shown]}")


def print_solution(ex):
    """Print the source of exercise ``ex``'s solution; a function comes after the helpers of its
    module that it calls (e.g. cells.lstm_step after cells' gate maths)."""
    shown = []
    for obj in ex.solution:
        shown += (_helpers(obj, set()) if inspect.isfunction(obj) else []) + [obj]
    print("\n\n".join(_source(obj) for obj in shown))


def _helpers(fn, seen):
    """The functions of fn's module that fn's body calls, each after its own helpers.

    Looked up rather than listed, so that the solution shown follows the module as it changes.
    Argument checks (``_check...``) are left out: they are not part of the lesson.
    """
    module = inspect.getmodule(fn)
    body = ast.parse(inspect.getsource(fn)).body[0].body  # the decorators are not called here
    found = []
    for node in (n for stmt in body for n in ast.walk(stmt)):
        helper = getattr(module, getattr(node, "id", ""), None)
        if (inspect.isfunction(helper) and helper.__module__ == module.__name__
                and helper not in seen and not helper.__name__.startswith("_check")):
            seen.add(helper)
            found += _helpers(helper, seen) + [helper]
    return found


def _source(obj):
    if isinstance(obj, str):  # a module-level constant of solutions: its assignment's text
        text = inspect.getsource(solutions)
        node = next(n for n in ast.parse(text).body if isinstance(n, ast.Assign)
                    and any(getattr(t, "id", None) == obj for t in n.targets))
        return f"# rnnbook.solutions.{obj}\n{ast.get_source_segment(text, node)}"
    return f"# {obj.__module__}.{obj.__name__}\n{inspect.getsource(obj).rstrip()}"
