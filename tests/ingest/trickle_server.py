"""A hostile HTTP server on 127.0.0.1: it answers one byte at a time, forever.

`mode="headers"` never finishes the status line and headers; `mode="body"` sends the
headers (promising a large body) and then drips the body. Each byte arrives well inside
any socket timeout, so only a wall-clock deadline stops a client.
"""

from __future__ import annotations

import socket
import threading


class TrickleServer:
    def __init__(self, mode: str, interval: float = 0.05) -> None:
        self.mode = mode
        self.interval = interval
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed"
        self.stopped = threading.Event()
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)  # the request
            if self.mode == "body":
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                    b"Content-Length: 1000000\r\n\r\n"
                )
                pattern = b"<rss>" + b" " * 64
            else:
                pattern = b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 64
            n = 0
            while not self.stopped.wait(self.interval):
                try:
                    conn.sendall(pattern[n % len(pattern) : n % len(pattern) + 1])
                except OSError:
                    return  # the client gave up: the point of the test
                n += 1

    def stop(self) -> None:
        self.stopped.set()
        self.sock.close()
