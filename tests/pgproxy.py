"""A loopback proxy in front of PostgreSQL that can lose the answer to a COMMIT: the database
commits, the connection drops before Waypoint hears so, as with a network fault or a server
stopped at that instant. Use ``sslmode=disable`` through it (it reads the protocol)."""

import contextlib
import socket
import threading

COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"  # the simple-query message psycopg2 sends


class CommitAnswerLoss:
    def __init__(self, upstream_host: str, upstream_port: int, *, every: int = 1) -> None:
        """Lose the answer of every ``every``-th COMMIT once armed (``every=0``: none)."""
        self.upstream = (upstream_host, upstream_port)
        self.every = every
        self.commits = 0
        self.lost = 0
        self._lock = threading.Lock()
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            losing = threading.Event()
            threading.Thread(
                target=self._to_server, args=(client, upstream, losing), daemon=True
            ).start()
            threading.Thread(
                target=self._to_client, args=(upstream, client, losing), daemon=True
            ).start()

    def _lose_this_commit(self) -> bool:
        with self._lock:
            self.commits += 1
            if self.every and self.commits % self.every == 0:
                self.lost += 1
                return True
            return False

    def _to_server(self, client, upstream, losing) -> None:
        try:
            while data := client.recv(65536):
                if COMMIT in data and self._lose_this_commit():
                    losing.set()  # the answer, once the database sends it, is dropped
                upstream.sendall(data)
        except OSError:
            pass
        _close(client, upstream)

    def _to_client(self, upstream, client, losing) -> None:
        try:
            while data := upstream.recv(65536):
                if losing.is_set():  # COMMIT is done on the server: hang up without a word
                    break
                client.sendall(data)
        except OSError:
            pass
        _close(client, upstream)

    def close(self) -> None:
        self.server.close()


def _close(*sockets: socket.socket) -> None:
    for sock in sockets:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()
