"""What the tests of rnnbook.checks share (imported by test_checks_*.py)."""

import pytest


def message_of(error):
    """An AssertionError's message as one line: the checker wraps it to fit a traceback."""
    return " ".join(str(error).split())


def assert_names(check, fn, keyword):
    """The checker raises an AssertionError whose message names the culprit by ``keyword``."""
    with pytest.raises(AssertionError) as caught:
        check(fn)
    message = message_of(caught.value)
    assert keyword in message, message
    assert "Traceback" not in message
    return message
