"""The ratio's denominator: a minimal Flask app served exactly like SabiDamu (gunicorn, 2 sync workers).

    gunicorn --chdir <repo> bench.bare_app:app
"""
from flask import Flask

app = Flask(__name__)

PAGE = ("<!doctype html><html lang=\"kk\"><head><meta charset=\"utf-8\"><title>SabiDamu</title></head>"
        "<body><h1>Сәлем!</h1><p>A bare Flask route: no database, no templates, no sessions.</p></body></html>")


@app.get("/")
def index():
    return PAGE
