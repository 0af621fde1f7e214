#!/usr/bin/env python3
"""Latency of the main API routes under a short loopback load: p50 / p95 / p99 per route.

Starts its own ``plansite serve`` on a free port with a throw-away data folder (or uses
``--url``), uploads one corpus file and waits for its takeoff, then runs ``--clients``
threads that call the read routes round-robin for ``--seconds``. Uploads are timed
separately, one after another, because each queues an analysis job.

    .venv/bin/python scripts/load_routes.py --seconds 10 --clients 4

Numbers are for this machine and its load at the time; they compare runs, they are not a
service-level promise.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

import httpx

DEFAULT_FILE = "dxf-uk-house-ground-floor-plan.dxf"


def main() -> int:
    args = parse_args()
    server = None if args.url else start_server(args.workers)
    url = args.url or server[0]
    try:
        with httpx.Client(base_url=url, timeout=60) as client:
            ids = prepare(client, args.file)
            reads = run_reads(url, read_routes(ids), args.clients, args.seconds)
            uploads = time_uploads(client, ids["project"], args.file, args.uploads)
        report({**reads, **uploads}, args)
    finally:
        if server:
            server[1].terminate()
            server[1].wait(15)
            shutil.rmtree(server[2], ignore_errors=True)
    return 0


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", help="use this running server instead of starting one")
    p.add_argument("--seconds", type=float, default=10.0, help="read load duration")
    p.add_argument("--clients", type=int, default=4, help="concurrent client threads")
    p.add_argument("--uploads", type=int, default=10, help="uploads to time, one by one")
    p.add_argument("--workers", type=int, default=1, help="PLANSITE_WORKERS of the server")
    p.add_argument("--file", type=Path, help=f"drawing to upload (default corpus {DEFAULT_FILE})")
    args = p.parse_args()
    if args.file is None:
        from plansite.scoring import corpus_dir

        args.file = corpus_dir() / "files" / DEFAULT_FILE
    return args


def start_server(workers: int) -> tuple[str, subprocess.Popen, str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tempfile.mkdtemp(prefix="plansite-load-")
    env = {**os.environ, "PLANSITE_WORKERS": str(workers), "PLANSITE_LOG_LEVEL": "WARNING"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "plansite.cli.main", "serve", "--port", str(port),
         "--data-dir", data], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            if httpx.get(url + "/api/v1/openapi.json", timeout=1).status_code == 200:
                print(f"server {url}, data in {data} (removed at the end)", file=sys.stderr)
                return url, proc, data
        except httpx.TransportError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start within 60 s")


def prepare(client: httpx.Client, path: Path) -> dict[str, str]:
    """A project with one analysed plan set, and the ids the read routes need."""
    project = client.post("/api/v1/projects", json={"name": "load"}).json()["id"]
    up = upload(client, project, path).json()
    while client.get(f"/api/v1/jobs/{up['job_id']}").json()["state"] not in (
            "succeeded", "failed"):
        time.sleep(0.2)
    sheets = client.get(f"/api/v1/parse/blueprints/{up['id']}/sheets").json()["items"]
    return {"project": project, "plan_set": up["id"], "job": up["job_id"],
            "sheet": sheets[0]["id"] if sheets else ""}


def upload(client: httpx.Client, project: str, path: Path) -> httpx.Response:
    with path.open("rb") as fh:
        return client.post(f"/api/v1/projects/{project}/blueprints",
                           files={"file": (path.name, fh)})


def read_routes(ids: dict[str, str]) -> list[tuple[str, str, str, dict | None]]:
    """(label, method, path, json body) of each route the read load calls."""
    ps = ids["plan_set"]
    return [
        ("GET /jobs/{id}", "GET", f"/api/v1/jobs/{ids['job']}", None),
        ("GET /blueprints/{id}/takeoff", "GET", f"/api/v1/blueprints/{ps}/takeoff", None),
        ("GET /blueprints/{id}", "GET", f"/api/v1/blueprints/{ps}", None),
        ("GET /projects", "GET", "/api/v1/projects?limit=50", None),
        ("GET /detect/.../detections", "GET", f"/api/v1/detect/blueprints/{ps}/detections",
         None),
        ("GET /parse/sheets/{id}", "GET", f"/api/v1/parse/sheets/{ids['sheet']}", None),
        ("GET /render/.../counts.csv", "GET", f"/api/v1/render/blueprints/{ps}/counts.csv",
         None),
        ("POST /projects", "POST", "/api/v1/projects", {"name": "load"}),
        ("POST /chat", "POST", "/api/v1/chat",
         {"plan_set_id": ps, "question": "how many toilets by room?"}),
    ]


def run_reads(url: str, routes: list, clients: int, seconds: float) -> dict[str, dict]:
    samples: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as c:
            n = offset
            while time.monotonic() < stop:
                label, method, path, body = routes[n % len(routes)]
                n += 1
                t0 = time.perf_counter()
                r = c.request(method, path, json=body)
                elapsed = time.perf_counter() - t0
                with lock:
                    samples[label].append(elapsed)
                    if r.status_code >= 400:
                        errors[label] += 1

    threads = [threading.Thread(target=client_loop, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {k: {"samples": v, "errors": errors[k], "seconds": seconds}
            for k, v in samples.items()}


def time_uploads(client: httpx.Client, project: str, path: Path, count: int) -> dict:
    samples, errors = [], 0
    t_start = time.monotonic()
    for _ in range(count):
        t0 = time.perf_counter()
        r = upload(client, project, path)
        samples.append(time.perf_counter() - t0)
        errors += r.status_code != 202
    label = f"POST /projects/{{id}}/blueprints ({path.stat().st_size // 1024} KiB)"
    return {label: {"samples": samples, "errors": errors,
                    "seconds": time.monotonic() - t_start}}


def report(results: dict[str, dict], args: argparse.Namespace) -> None:
    print(f"\n{args.clients} clients, {args.seconds:g} s of reads; uploads one at a time")
    print(f"{'route':<44} {'n':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'max ms':>8} {'err':>4}")
    for label, r in results.items():
        ms = sorted(s * 1000 for s in r["samples"])
        if not ms:
            continue
        q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
        print(f"{label:<44} {len(ms):>6} {len(ms) / r['seconds']:>7.1f} {q[49]:>8.1f} "
              f"{q[94]:>8.1f} {q[98]:>8.1f} {ms[-1]:>8.1f} {r['errors']:>4}")


if __name__ == "__main__":
    sys.exit(main())
