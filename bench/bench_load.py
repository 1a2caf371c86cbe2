"""Load benchmark: 50 signed-in users of the four roles, each opening one of its main
pages every 5 s, against gunicorn on PostgreSQL; prints p50/p95/p99 per page, requests
per second and errors (docs/benchmarks.md).

Needs the national data set (manage.py seed_demo and seed_national) and Locust, which runs
in a virtual environment of its own so that it never changes the service's locked packages:

    make bench-load            # or, by hand:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker_bench \\
        .venv/bin/python bench/bench_load.py [--users 50] [--seconds 180] [--workers 3]
"""

import argparse
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCUST = ROOT / ".venv-load" / "bin" / "locust"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - our own server
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer in {seconds} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=180)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument(
        "--spawn-rate",
        type=float,
        default=1.0,
        help="users starting (and signing in) per second; figures are kept only from when all "
        "have started, for --seconds",
    )
    args = parser.parse_args()
    ramp = args.users / args.spawn_rate
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database with the national data set")
    if not LOCUST.exists():
        raise SystemExit("Locust is not installed: run `make bench-load`")
    port = free_port()
    env = {**os.environ, "DJANGO_DEBUG": "false", "ALLOWED_HOSTS": "127.0.0.1,localhost"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/account/sign-in/")
        with tempfile.TemporaryDirectory() as folder:
            prefix = Path(folder) / "load"
            subprocess.run(
                [
                    str(LOCUST),
                    "-f",
                    str(ROOT / "bench" / "load" / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(args.users),
                    # people sign in through the day, not all in one second: each sign-in
                    # costs a password hash (about half a second of CPU), so 50 at once
                    # saturate two cores for twenty seconds
                    "-r",
                    str(args.spawn_rate),
                    "-t",
                    f"{int(args.seconds + ramp + 5)}s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    str(prefix),
                    "--reset-stats",
                    "--only-summary",
                ],
                cwd=ROOT,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            report(prefix.with_name("load_stats.csv"), args)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def report(path: Path, args) -> None:
    with path.open() as f:
        rows = list(csv.DictReader(f))
    print(
        f"{args.users} users, one page every 5 s each, {args.seconds} s once all had started "
        f"({args.spawn_rate:g} a second), gunicorn {args.workers} workers"
    )
    print(f"{'page':<40} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
    for row in rows:
        name = row["Name"]
        if name == "Aggregated":
            continue
        print(
            f"{name:<40} {row['Request Count']:>8} {row['Failure Count']:>6} "
            f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    print(
        f"{'all':<40} {total['Request Count']:>8} {total['Failure Count']:>6} "
        f"{total['50%']:>7} {total['95%']:>7} {total['99%']:>7}"
    )
    print(f"requests per second: {float(total['Requests/s']):.1f}")


if __name__ == "__main__":
    sys.exit(main())
