"""A local HTTP server (http.server in a thread) that serves what a test gives it: the
resources whose URLs the quality checks fetch."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Served:
    body: bytes
    content_type: str = "text/csv; charset=utf-8"
    status: int = 200
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


class FileServer:
    """Serves ``routes`` (path → Served) on 127.0.0.1; counts requests, and the concurrency
    of the requests under ``counted_prefix``."""

    def __init__(self, counted_prefix: str = "/paced") -> None:
        self.counted_prefix = counted_prefix
        self.routes: dict[str, Served] = {}
        self.requests: list[str] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                counted = self.path.startswith(server.counted_prefix)
                with server._lock:
                    server.requests.append(self.path)
                    if counted:
                        server.in_flight += 1
                        server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    served = server.routes.get(self.path.split("?")[0])
                    if served is None:
                        served = Served(b"not found", "text/plain", 404)
                    if served.delay:
                        time.sleep(served.delay)
                    # Counted out before answering: the client cannot be done before this.
                    if counted:
                        with server._lock:
                            server.in_flight -= 1
                    self.send_response(served.status)
                    self.send_header("Content-Type", served.content_type)
                    self.send_header("Content-Length", str(len(served.body)))
                    for name, value in served.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(served.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        # A short poll: stopping the server waits for it.
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, served: Served) -> str:
        self.routes[path] = served
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for p in self.requests if p.split("?")[0] == path)

    def start(self) -> FileServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
