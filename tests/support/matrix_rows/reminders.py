"""Issue 15: the reminders settings page (every signed-in user, their own choices) and the parent's agreement that
the card's PDF includes the home-and-kindergarten table (the child's parent only)."""
from tests.support.matrix import allow, everyone

ROWS = [
    ("GET", "/account/reminders", "/account/reminders", everyone(200)),
    ("POST", "/account/reminders", "/account/reminders", everyone(302)),
    ("POST", "/children/<child_id>/home-share/<choice>", "/children/{child_A}/home-share/agree",
     allow("parentA", ok=302)),
    ("POST", "/children/<child_id>/home-share/<choice>", "/children/{child_B}/home-share/stop",
     allow("parentB", ok=302)),
    ("POST", "/children/<child_id>/home-share/<choice>", "/children/{missing}/home-share/agree", everyone(404)),
]
