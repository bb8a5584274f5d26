"""WSGI entry: `gunicorn app:app`."""
from sabidamu import create_app

app = create_app()
