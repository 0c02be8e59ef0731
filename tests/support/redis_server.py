"""A throwaway redis-server on a free loopback port (installed from apt by
scripts/install_cluster.sh when missing). No persistence; killed on stop.

    with RedisServer(tmp_path) as r:
        r.url  # redis://127.0.0.1:<port>/0
"""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis

from tests.support.servers import ROOT, Managed, free_port, stop_groups


def redis_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    proc = subprocess.run([str(ROOT / "scripts" / "install_cluster.sh")], capture_output=True, text=True, timeout=900)
    found = shutil.which("redis-server")
    if proc.returncode != 0 or not found:
        raise RuntimeError(f"scripts/install_cluster.sh could not install redis-server:\n{proc.stderr}")
    return found


class RedisServer(Managed):
    def __init__(self, workdir: Path):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        log = open(self.workdir / "redis.log", "wb")
        self.proc = subprocess.Popen(
            [redis_binary(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        client = redis.Redis.from_url(self.url, socket_timeout=1)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start:\n{(self.workdir / 'redis.log').read_text()}")

    def stop(self) -> None:
        if self.proc:
            stop_groups([self.proc], grace=10)
