"""The page and throughput benchmarks' parts, run small so that the benchmarks cannot rot: every
web route is measured or named as not a page, and the load generator stays bounded. No timing
is checked."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import pages, throughput


def test_the_page_benchmark_measures_every_route_of_a_small_province(db: None) -> None:
    world = pages.world_of("tiny", *pages.prepare_bench_province("tiny"))
    found, posts, unknown = pages.run([world], repeat=1)
    assert unknown == []  # a new route must be measured or named as not a page
    measured = {page.route for page in found["tiny"]}
    routes = set(pages.web_routes())
    assert measured | set(posts) | pages.NOT_THE_COORDINATORS >= routes - {
        # Routes of objects this province has none of (assessments, staged plans, files).
        route
        for route in routes
        if pages.urls_for(world, route) == []
    }
    overview = next(p for p in found["tiny"] if p.route == "reports/rounds/<int:pk>/")
    assert (overview.status, overview.queries > 0) == (200, True)
    assert [
        (p.url, p.status)
        for p in found["tiny"]
        if p.status != (302 if p.route in pages.REDIRECTS else 200)
    ] == []
    assert "slowest" in pages.summary("tiny", found["tiny"])
    assert pages.table(found["tiny"], 3).count("\n") == 4  # header, rule, three pages


class _Answer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/ok" else 404
        self.send_response(status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_the_load_generator_sends_exactly_its_requests_and_counts_what_failed(
    server: int,
) -> None:
    good = throughput.load(server, "/ok", "", clients=4, requests=25)
    bad = throughput.load(server, "/missing", "", clients=4, requests=6)
    assert (good.requests, len(good.latencies), good.errors) == (25, 25, 0)
    assert (len(bad.latencies), bad.errors) == (6, 6)
    both = throughput.combined([good, good])
    assert (both.requests, len(both.latencies)) == (50, 50)
    assert both.per_second > 0
    assert good.percentile(0.5) <= good.percentile(0.95)
