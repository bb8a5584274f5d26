"""Foundation benchmark: 10,000 children on SQLite, served by gunicorn (2 sync workers), measured with wrk.

Run:  .venv/bin/python bench/bench_foundation.py [--write] [--profile]
      (make bench runs it too)

End to end: Keyring seal + open of a 2 KB field (timeit); seed the instance if needed (bench/seed.py);
start gunicorn for SabiDamu, sign in through the real /login form, warm up, run wrk against
(a) the parent dashboard (2 children) and (b) a group page of 25 children as its teacher (decrypts the
children, writes one audit event), stop it; start gunicorn for the bare Flask app (bench/bare_app.py),
run wrk against it (c), stop it; print a Markdown table. Everything is on 127.0.0.1, every wrk run is
bounded in time, and the servers are stopped even on error.

--write   replaces the foundation section of docs/benchmarks.md with the figures
--profile profiles the group page in-process (cProfile, Flask test client) and prints the top costs
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import platform
import pstats
import re
import sqlite3
import statistics
import subprocess
import sys
import timeit
import urllib.error
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import DEFAULT_INSTANCE, REPO_ROOT, bench_environ, login_cookie, seed, serve  # noqa: E402

DOC = REPO_ROOT / "docs" / "benchmarks.md"
LUA = Path(__file__).resolve().parent / "report.lua"
BEGIN, END = "<!-- foundation:begin -->", "<!-- foundation:end -->"
TARGET_GROUP_P95_MS = 100.0
TARGET_RATIO = 0.15
TARGET_SEAL_OPEN_US = 50.0


# --- Keyring micro-benchmark -----------------------------------------------------------------------------

def bench_keyring(number: int = 20000, repeat: int = 5) -> dict:
    """Seal + open of one 2 KB field value with the app's Keyring (AES-256-GCM, context-bound)."""
    from sabidamu.crypto.keyring import Keyring, MasterKeys, new_data_key

    def no_fetch(key_id):
        raise LookupError(key_id)  # the one data key is primed below, never fetched

    keyring = Keyring(MasterKeys.parse(MasterKeys.new_line()), os.urandom(32), no_fetch)
    key_id, row_id = uuid.uuid4(), uuid.uuid4()
    keyring.prime(key_id, new_data_key())
    value = "ә" * 1024  # 2048 bytes of UTF-8 (Kazakh letters take two bytes)
    blob = keyring.seal(key_id, "child", row_id, "notes", value)
    assert keyring.open("child", row_id, "notes", blob) == value

    def per_op(stmt) -> list[float]:
        return [t / number * 1e6 for t in timeit.repeat(stmt, number=number, repeat=repeat)]

    seal = per_op(lambda: keyring.seal(key_id, "child", row_id, "notes", value))
    opn = per_op(lambda: keyring.open("child", row_id, "notes", blob))
    both = per_op(lambda: keyring.open("child", row_id, "notes", keyring.seal(key_id, "child", row_id, "notes", value)))
    return {"bytes": len(value.encode()), "iterations": number * repeat,
            "seal_us": min(seal), "open_us": min(opn), "seal_open_us": min(both),
            "seal_open_median_us": statistics.median(both)}


# --- wrk -------------------------------------------------------------------------------------------------

def wrk_version() -> str:
    out = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
    return (out.stdout + out.stderr).strip().splitlines()[0].split(" Copyright")[0]


def run_wrk(url: str, cookie: str | None, duration: int, connections: int, threads: int) -> dict:
    cmd = ["wrk", "-s", str(LUA), "-d", f"{duration}s", "-c", str(connections), "-t", str(threads),
           "--timeout", "10s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(url)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if out.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout}\n{out.stderr}")
    r = json.loads(line[len("WRK_JSON "):])
    seconds = r["duration_us"] / 1e6
    errors = r["errors_connect"] + r["errors_read"] + r["errors_write"] + r["errors_timeout"]
    ok = r["requests"] - r["errors_status"]
    r.update(seconds=seconds, rps=r["requests"] / seconds, ok_rps=ok / seconds, failed=r["errors_status"],
             socket_errors=errors, connections=connections, threads=threads)
    return r


def fetch(url: str, cookie: str | None) -> tuple[int, str, str]:
    """GET without following redirects: (status, final path, body)."""
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *a, **k):
            return None
    opener = urllib.request.build_opener(NoRedirect())
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, resp.url, resp.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", ""), exc.read().decode(errors="replace")


def check_page(url: str, cookie: str | None, children: int | None) -> None:
    status, _where, body = fetch(url, cookie)
    if status != 200:
        raise RuntimeError(f"{url} answered {status}, not 200 (session lost or page broken)")
    if children is not None:
        links = len(set(re.findall(r'href="/children/([0-9a-f-]{36})"', body)))
        if links != children:
            raise RuntimeError(f"{url} lists {links} children, expected {children}")


# --- in-process profile of the group page ----------------------------------------------------------------

def profile_group_page(instance_dir: Path, info: dict, requests: int = 200, top: int = 25) -> str:
    """cProfile over `requests` GETs of the group page through the Flask test client (same code path as
    gunicorn minus the HTTP server); returns the top functions by cumulative and by own time."""
    from sabidamu import create_app

    app = create_app(environ=bench_environ(instance_dir))
    client = app.test_client()
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(as_text=True))
    if token is None:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    resp = client.post("/login", data={"csrf_token": token.group(1), "login": info["teacher_login"],
                                       "password": info["password"]})
    if resp.status_code != 302:
        raise RuntimeError(f"in-process sign-in failed ({resp.status_code})")
    url = f"/groups/{info['group_ids'][0]}"
    for _ in range(20):  # warm: templates compiled, data key unwrapped
        assert client.get(url).status_code == 200
    prof = cProfile.Profile()
    t0 = dt.datetime.now()
    prof.enable()
    for _ in range(requests):
        client.get(url)
    prof.disable()
    elapsed = (dt.datetime.now() - t0).total_seconds()
    buf = io.StringIO()
    buf.write(f"{requests} requests in {elapsed:.2f} s under cProfile ({elapsed / requests * 1000:.1f} ms each)\n")
    stats = pstats.Stats(prof, stream=buf).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return buf.getvalue()


# --- machine and report ----------------------------------------------------------------------------------

def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        ram = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    from importlib.metadata import version
    return {"code": code_version(), "cpu": cpu, "cores": str(os.cpu_count()), "ram": ram,
            "os": f"{platform.system()} {platform.release()}",
            "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "gunicorn": version("gunicorn"), "flask": version("flask"), "sqlalchemy": version("sqlalchemy"),
            "cryptography": version("cryptography"), "wrk": wrk_version()}


def code_version() -> str:
    """The commit measured (and whether the work tree differed from it). BENCH_CODE_VERSION names it when
    the tree is not a git checkout (e.g. a `git archive` export)."""
    if os.environ.get("BENCH_CODE_VERSION"):
        return os.environ["BENCH_CODE_VERSION"]
    try:
        rev = subprocess.run(["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        if rev.returncode != 0:
            return "unknown"
        dirty = subprocess.run(["git", "-C", str(REPO_ROOT), "diff", "--quiet", "HEAD", "--", "sabidamu"],
                               capture_output=True, timeout=10).returncode != 0
        return rev.stdout.strip() + (" + uncommitted changes in sabidamu/" if dirty else "")
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"


def ms(us: float) -> str:
    return f"{us / 1000:.1f}"


def render(results: dict) -> str:
    cfg, runs, kr, m = results["config"], results["runs"], results["keyring"], results["machine"]
    bare, group = runs["bare"], runs["group"]
    ratio = group["ok_rps"] / bare["ok_rps"] if bare["ok_rps"] else 0.0
    group_ok = group["failed"] == 0 and group["socket_errors"] == 0
    p95_met = group_ok and group["p95_us"] / 1000 <= TARGET_GROUP_P95_MS
    ratio_met = group_ok and ratio >= TARGET_RATIO
    seal_met = kr["seal_open_us"] < TARGET_SEAL_OPEN_US
    lines = [
        f"Measured {results['date']} with `{results['command']}`.",
        "",
        f"Data: {cfg['children']:,} children in {cfg['groups']} groups ({cfg['children'] // cfg['groups']} per group, "
        "10 groups per kindergarten), SQLite (WAL) in a fresh instance directory. Server: gunicorn, "
        f"{cfg['workers']} sync workers, 127.0.0.1. Load: wrk `-d {cfg['duration']}s -c {cfg['connections']} "
        f"-t {cfg['threads']}` after a {cfg['warmup']} s warm-up, one signed-in session cookie per page; "
        "the servers run one after the other, never together.",
        "",
        "| page | connections | requests/s (2xx) | p50 ms | p95 ms | p99 ms | failed responses |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    labels = {"parent": "(a) parent dashboard, 2 children", "group": "(b) group page, 25 children, as teacher",
              "group_c1": "(b) group page, one connection at a time", "bare": "(c) bare Flask route"}
    for key in ("parent", "group", "group_c1", "bare"):
        if key not in runs:
            continue
        r = runs[key]
        failed = f"{r['failed']} of {r['requests']}" if r["failed"] else "0"
        if r["socket_errors"]:
            failed += f" (+{r['socket_errors']} socket errors)"
        lines.append(f"| {labels[key]} | {r['connections']} | {r['ok_rps']:.0f} | {ms(r['p50_us'])} | "
                     f"{ms(r['p95_us'])} | {ms(r['p99_us'])} | {failed} |")
    lines += [
        "",
        "Requests/s counts successful responses only; wrk's percentiles cover every response.",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| group page p95 <= {TARGET_GROUP_P95_MS:.0f} ms, no failed responses | p95 {ms(group['p95_us'])} ms, "
        f"{group['failed']} failed of {group['requests']} | {'yes' if p95_met else 'no'} |",
        f"| group page / bare throughput >= {TARGET_RATIO} | {group['ok_rps']:.0f} / {bare['ok_rps']:.0f} = "
        f"{ratio:.3f} | {'yes' if ratio_met else 'no'} |",
        f"| Keyring seal + open of a {kr['bytes']} B field < {TARGET_SEAL_OPEN_US:.0f} us | "
        f"{kr['seal_open_us']:.1f} us (seal {kr['seal_us']:.1f} + open {kr['open_us']:.1f}; "
        f"best of 5 x {kr['iterations'] // 5:,}) | {'yes' if seal_met else 'no'} |",
        "",
        f"Seeding {cfg['children']:,} children: {results['seed_seconds']}.",
        "",
        "Machine:",
        "",
        "```",
    ]
    lines += [f"{k:<12} {v}" for k, v in m.items()]
    lines += ["```"]
    return "\n".join(lines)


def write_doc(section: str) -> None:
    block = f"{BEGIN}\n{section}\n{END}"
    text = DOC.read_text() if DOC.exists() else ""
    if BEGIN in text and END in text:
        text = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda _m: block, text, flags=re.S)
    else:
        text = (text.rstrip() + "\n\n" if text else "# Benchmarks\n\n") + \
            "## Foundation: 10,000 children on SQLite (gunicorn + wrk)\n\n" + block + "\n"
    DOC.write_text(text)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instance", type=Path, default=DEFAULT_INSTANCE)
    ap.add_argument("--children", type=int, default=10000)
    ap.add_argument("--groups", type=int, default=400)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (default 10)")
    ap.add_argument("--warmup", type=int, default=2, help="seconds of wrk warm-up per page (default 2)")
    ap.add_argument("--connections", type=int, default=4)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md's foundation section")
    ap.add_argument("--profile", action="store_true", help="cProfile the group page in-process afterwards")
    args = ap.parse_args(argv)
    if not 1 <= args.duration <= 60 or not 0 <= args.warmup <= 10:
        ap.error("--duration must be 1..60 s and --warmup 0..10 s")

    command = ".venv/bin/python bench/bench_foundation.py" + (" --write" if args.write else "")
    print("keyring: seal + open of a 2 KB field ...", flush=True)
    kr = bench_keyring()
    print(f"keyring: seal {kr['seal_us']:.1f} us, open {kr['open_us']:.1f} us, seal + open {kr['seal_open_us']:.1f} us",
          flush=True)

    info = seed(args.instance, args.children, args.groups)
    marker = json.loads((args.instance.resolve() / "bench-seed.json").read_text())
    t = marker.get("timings", {})
    seed_seconds = (f"{t['total']:.1f} s in all, of which children sealed and inserted in "
                    f"{t['children (seal + insert)']:.1f} s" if t else "reused")

    runs: dict[str, dict] = {}
    wrk_args = {"duration": args.duration, "connections": args.connections, "threads": args.threads}

    def measure(key: str, url: str, cookie: str | None, **over) -> None:
        kw = dict(wrk_args, **over)
        kw["threads"] = min(kw["threads"], kw["connections"])
        if args.warmup:
            run_wrk(url, cookie, **dict(kw, duration=args.warmup))
        r = run_wrk(url, cookie, **kw)
        runs[key] = r
        print(f"{key:>9}: {r['ok_rps']:7.0f} req/s ok, p50 {ms(r['p50_us'])} ms, p95 {ms(r['p95_us'])} ms, "
              f"p99 {ms(r['p99_us'])} ms, failed {r['failed']} of {r['requests']}", flush=True)

    with serve(args.instance) as base:
        parent_cookie = login_cookie(base, info["parent_login"], info["password"])
        teacher_cookie = login_cookie(base, info["teacher_login"], info["password"])
        dash = f"{base}/parent"
        group = f"{base}/groups/{info['group_ids'][0]}"
        check_page(dash, parent_cookie, 2)
        check_page(group, teacher_cookie, args.children // args.groups)
        measure("parent", dash, parent_cookie)
        measure("group", group, teacher_cookie)
        measure("group_c1", group, teacher_cookie, connections=1, threads=1)
        check_page(dash, parent_cookie, 2)  # still signed in: no run measured the sign-in page
        check_page(group, teacher_cookie, args.children // args.groups)
    with serve(args.instance, "bench.bare_app:app") as base:
        check_page(base + "/", None, None)
        measure("bare", base + "/", None)

    results = {"date": dt.date.today().isoformat(), "command": command, "keyring": kr, "runs": runs,
               "seed_seconds": seed_seconds, "machine": machine(),
               "config": {"children": args.children, "groups": args.groups, "workers": 2, "duration": args.duration,
                          "warmup": args.warmup, "connections": args.connections, "threads": args.threads}}
    section = render(results)
    print()
    print(section)
    out = args.instance.resolve().parent / "foundation-results.json"
    out.write_text(json.dumps(results, indent=2))
    if any(r["failed"] for r in runs.values()):
        print(f"\nSome responses failed: see {args.instance.resolve().parent / 'logs'} for the server's tracebacks.")
    if args.write:
        write_doc(section)
        print(f"\nwrote {DOC.relative_to(REPO_ROOT)}")
    if args.profile:
        print("\n" + profile_group_page(args.instance, info))
    return 0


if __name__ == "__main__":
    sys.exit(main())
