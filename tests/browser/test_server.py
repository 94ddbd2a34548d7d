"""The browser tests' own web server: quiet when a browser drops a connection, loud otherwise."""

from __future__ import annotations

import socket
import struct
import threading
import time
from functools import partial

from .conftest import PagesHandler, PagesServer


def _serve(folder):
    server = PagesServer(("127.0.0.1", 0), partial(PagesHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def test_a_dropped_connection_prints_no_traceback(tmp_path, capsys):
    (tmp_path / "big.bin").write_bytes(b"x" * 16_000_000)
    server, thread = _serve(tmp_path)
    try:
        for _ in range(3):
            client = socket.create_connection(server.server_address)
            client.sendall(b"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            client.recv(1024)  # the response has begun
            # Close with a reset, as a browser that navigated away does.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        time.sleep(0.5)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    assert capsys.readouterr().err == ""


def test_other_errors_still_print_their_traceback(tmp_path, capsys):
    server = PagesServer(("127.0.0.1", 0), partial(PagesHandler, directory=str(tmp_path)))
    try:
        try:
            raise ValueError("a bug in the handler")
        except ValueError:
            server.handle_error(None, ("127.0.0.1", 1))
    finally:
        server.server_close()
    err = capsys.readouterr().err
    assert "Traceback" in err and "ValueError: a bug in the handler" in err
