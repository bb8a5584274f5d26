"""Forms of the screening pages. The answers themselves are radio groups named after the instrument's
item ids (`a-<item id>`, follow-ups `f-<follow-up id>`); they are read from the request and validated by
the service, because the items come from the instrument, not from a fixed form class."""
from flask_wtf import FlaskForm
from wtforms import HiddenField

ANSWER_PREFIX = "a-"
FOLLOW_UP_PREFIX = "f-"
ACTIONS = ("back", "next", "later", "finish")


class StartForm(FlaskForm):
    instrument = HiddenField()


class AnswersForm(FlaskForm):
    """CSRF token and the row version the page was built from (a stale save is a visible conflict)."""

    version = HiddenField()
    stage = HiddenField()  # 'answers' | 'follow_up'


def prefixed(form_data, prefix: str) -> dict[str, str]:
    return {key[len(prefix):]: value.strip() for key, value in form_data.items() if key.startswith(prefix)}
