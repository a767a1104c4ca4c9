"""The round overview's throughput under 20 concurrent clients, against a trivial page.

    .venv/bin/python -m bench.throughput [--clients 20] [--requests 300] [--scale demo|full]

Loads the demo province (or, with `--scale full`, the reporting round benchmark's 179-agency
province with its round filled and submitted) into a throwaway database, starts the product's
own server on loopback (`parindex serve`: gunicorn, its default two workers), signs the
coordinator in, and sends the same bounded load to two pages: a trivial one (`/account/`, the
product's frame around a few lines about the person) and the round's overview. Each load is
`--requests` GETs from `--clients` threads, each with its own connection, sending its next
request as soon as the last is answered; the trivial page and the overview take turns, twice
each, after a warm-up, and the figures are the totals of both turns. It prints requests per
second, median and 95th percentile latency for each, and the overview's throughput as a share
of the trivial page's: the goal is at least 30 %. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bench.harness import django_benchmark

GOAL = 0.30


@dataclass
class Load:
    path: str
    requests: int
    seconds: float
    latencies: list[float]
    errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _get(port: int, path: str, cookie: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def load(port: int, path: str, cookie: str, *, clients: int, requests: int) -> Load:
    """`requests` GETs of `path` from `clients` threads, each sending its next request when the
    last is answered."""
    remaining = [requests]
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]

    def client() -> None:
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            start = time.perf_counter()
            try:
                status = _get(port, path, cookie)
            except OSError:
                status = 0
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                if status != 200:
                    errors[0] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(path, requests, time.perf_counter() - start, latencies, errors[0])


def combined(loads: list[Load]) -> Load:
    return Load(
        loads[0].path,
        sum(x.requests for x in loads),
        sum(x.seconds for x in loads),
        [t for x in loads for t in x.latencies],
        sum(x.errors for x in loads),
    )


def server_environment() -> dict[str, str]:
    """The bench's own settings for the server: same folder, same throwaway database."""
    from django.db import connection

    env = dict(os.environ)
    if env.get("DATABASE_URL"):
        # The harness made a test database beside the one named: the server must use it.
        parts = urlsplit(env["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(
            parts._replace(path="/" + connection.settings_dict["NAME"])
        )
    else:
        env.pop("DATABASE_URL", None)
    return env


def start_server(port: int, workers: int) -> subprocess.Popen[bytes]:
    parindex = os.path.join(os.path.dirname(sys.executable), "parindex")
    server = subprocess.Popen(
        [parindex, "serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        env=server_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            _get(port, "/login/", "")
            return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError("the server stopped before answering") from None
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("the server did not answer within 2 minutes")


def session_cookie(username: str) -> str:
    from django.conf import settings
    from django.test import Client

    from parindex.orgs.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def prepare(scale: str) -> tuple[str, str]:
    """Load the province; returns the coordinator's username and the overview's path."""
    from django.db.models import Count

    from parindex.reporting.models import Round

    if scale == "demo":
        from bench.pages import prepare_demo

        _province, coordinator = prepare_demo()
    else:
        from bench.pages import prepare_bench_province

        _province, coordinator = prepare_bench_province(scale)
    round_ = (
        Round.objects.filter(plan__province__in=[_province])
        .annotate(n=Count("reports"))
        .order_by("-n", "pk")
        .first()
    )
    assert round_ is not None
    return coordinator.username, f"/reports/rounds/{round_.pk}/"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.throughput", description=__doc__)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=300, help="per page and turn")
    parser.add_argument("--workers", type=int, default=2, help="the server's (its default: 2)")
    parser.add_argument("--scale", choices=("demo", "full", "baseline", "tiny"), default="demo")
    args = parser.parse_args(argv)
    with django_benchmark("Throughput benchmark"):
        from django.conf import settings

        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        username, overview = prepare(args.scale)
        cookie = session_cookie(username)
        port = free_port()
        server = start_server(port, args.workers)
        try:
            for path in ("/account/", overview):  # warm-up: templates, first connections
                load(port, path, cookie, clients=args.clients, requests=args.clients * 2)
            turns: dict[str, list[Load]] = {"/account/": [], overview: []}
            for _turn in range(2):
                for path in turns:
                    turns[path].append(
                        load(port, path, cookie, clients=args.clients, requests=args.requests)
                    )
        finally:
            server.terminate()
            server.wait(timeout=30)
        trivial, page = combined(turns["/account/"]), combined(turns[overview])
        print(
            f"{args.scale} province, {args.clients} clients, {args.workers} server workers, "
            f"{2 * args.requests} requests per page\n"
        )
        print("| page | requests/s | median ms | p95 ms | errors |")
        print("|---|---:|---:|---:|---:|")
        for name, figures in (("trivial: /account/", trivial), (f"overview: {overview}", page)):
            print(
                f"| {name} | {figures.per_second:.1f} | {figures.percentile(0.5) * 1000:.0f} | "
                f"{figures.percentile(0.95) * 1000:.0f} | {figures.errors} |"
            )
        share = page.per_second / trivial.per_second if trivial.per_second else 0.0
        verdict = "meets" if share >= GOAL else "misses"
        print(
            f"\noverview throughput = {share:.0%} of the trivial page's ({verdict} the goal of "
            f"{GOAL:.0%})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
