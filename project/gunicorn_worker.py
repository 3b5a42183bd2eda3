"""gunicorn's threaded worker, with a deadline for reading each request.

gunicorn's gthread worker reads a request in one of the worker's threads, as slowly as the
client sends it: 20 clients sending a header line every 5 s held every thread of a test
server, and its other clients (``/healthz`` too) waited. Here a request must be read within
``ONRECORD_REQUEST_READ_SECONDS`` (30) of its first byte, and each send of the answer must
go through within ``ONRECORD_SEND_SECONDS`` (60), or the connection is closed. The proxy in
front buffers requests and answers (docs/operations.md), so only a client that reaches the
app servers directly is ever this slow. No Django here: gunicorn's master imports this.
"""

from __future__ import annotations

import errno
import os
import socket
import time
import weakref

from gunicorn.workers.gthread import ThreadWorker

READ_SECONDS = float(os.environ.get("ONRECORD_REQUEST_READ_SECONDS", "30"))
SEND_SECONDS = float(os.environ.get("ONRECORD_SEND_SECONDS", "60"))
_deadlines: weakref.WeakKeyDictionary[socket.socket, float] = weakref.WeakKeyDictionary()


class _DeadlineSocket(socket.socket):
    """A client's socket whose blocking reads end at the connection's read deadline."""

    __slots__ = ()

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        return self._within_deadline(super().recv, bufsize, flags)

    def recv_into(self, buffer, nbytes: int = 0, flags: int = 0) -> int:
        return self._within_deadline(super().recv_into, buffer, nbytes, flags)

    def _within_deadline(self, read, *args):
        if self.gettimeout() == 0.0:  # non-blocking: the worker's poller reads
            return read(*args)
        deadline = _deadlines.setdefault(self, time.monotonic() + READ_SECONDS)
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise TimeoutError
            self.settimeout(left)
            return read(*args)
        except TimeoutError:
            # A reset, for gunicorn: it closes the connection and logs no traceback.
            raise ConnectionResetError(
                errno.ECONNRESET, f"the request was not read within {READ_SECONDS:g} s"
            ) from None
        finally:
            if self.gettimeout() != 0.0:
                self.settimeout(SEND_SECONDS)  # the answer's sends, each


class DeadlineThreadWorker(ThreadWorker):
    """``gthread`` with the deadlines above (``worker_class`` in project/gunicorn_conf.py)."""

    def enqueue_req(self, conn) -> None:
        if type(conn.sock) is socket.socket:
            conn.sock.__class__ = _DeadlineSocket
        super().enqueue_req(conn)
