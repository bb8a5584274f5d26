"""The floor of bench/bench_national.py: a bare Flask route and a plain Jinja page of 25 rows (no database, no
session), served exactly like SabiDamu (gunicorn, the same number of sync workers).

    gunicorn --chdir <repo> bench.national_floor:app      GET /  (bare)   GET /rows  (Jinja, 25 rows)
"""
from flask import Flask, render_template_string

app = Flask(__name__)

BARE = ("<!doctype html><html lang=\"kk\"><head><meta charset=\"utf-8\"><title>SabiDamu</title></head>"
        "<body><h1>Сәлем!</h1><p>A bare Flask route: no database, no templates, no sessions.</p></body></html>")

ROWS_PAGE = """<!doctype html><html lang="kk"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><table><thead><tr><th>№</th><th>Аты-жөні</th><th>Туған күні</th>
<th>Деңгей</th></tr></thead><tbody>{% for row in rows %}<tr><td>{{ loop.index }}</td>
<td><a href="/children/{{ row.id }}">{{ row.name }}</a></td><td>{{ row.birth }}</td><td>{{ row.level }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""

ROWS = [{"id": f"00000000-0000-4000-8000-{i:012d}", "name": f"Аружан Серікова {i}", "birth": f"2021-03-{i:02d}",
         "level": "II"} for i in range(1, 26)]


@app.get("/")
def bare():
    return BARE


@app.get("/rows")
def rows():
    return render_template_string(ROWS_PAGE, title="Топ 1", rows=ROWS)
