"""Real database servers for the tests, started by the tests themselves:
PostgreSQL (Debian's ``postgresql`` package: initdb and pg_ctl in a
temporary folder, as the ``postgres`` system user when the tests run as
root, which PostgreSQL refuses to be) and a Spark Connect server (pyspark's
own jars on Java 17). Both listen on 127.0.0.1 only and are stopped at the
end of the session. ``make servers`` installs what they need."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, seconds: float, proc: subprocess.Popen | None = None) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.2)
    return False


# ---------------------------------------------------------------- PostgreSQL


def pg_bin() -> Path | None:
    """The folder of initdb and pg_ctl (Debian keeps them off PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


@dataclass
class Postgres:
    folder: Path
    port: int
    user: str
    bin: Path

    @property
    def url(self) -> str:
        return f"postgresql://127.0.0.1:{self.port}/shop"

    def env(self) -> dict[str, str]:
        """libpq's environment for the journey's engine (no secret in a URL)."""
        return {"PGUSER": self.user}

    def statements(self) -> str:
        """The server's statement log so far (``log_statement=all``)."""
        return (self.folder / "server.log").read_text(encoding="utf-8", errors="replace")

    def _as_owner(self, args: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args

    def stop(self) -> None:
        subprocess.run(self._as_owner([str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"),
                                       "-m", "immediate", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_postgres() -> Postgres:
    """initdb + pg_ctl start on 127.0.0.1 and a socket in a temporary
    folder; raises RuntimeError with the reason when it cannot."""
    binary = pg_bin()
    if binary is None:
        raise RuntimeError("PostgreSQL is not installed (make servers)")
    folder = Path(tempfile.mkdtemp(prefix="copis-pg-"))
    root = os.geteuid() == 0
    if root:
        shutil.chown(folder, "postgres", "postgres")
    user = "postgres" if root else os.environ.get("USER", "postgres")
    server = Postgres(folder, free_port(), user, binary)
    init = subprocess.run(server._as_owner([str(binary / "initdb"), "-D", str(folder / "data"), "-A", "trust",
                                            "-U", user, "-E", "UTF8", "--locale=C"]),
                          capture_output=True, text=True, timeout=120)
    if init.returncode:
        raise RuntimeError(f"initdb failed: {init.stderr.strip()[-500:]}")
    options = (f"-c listen_addresses=127.0.0.1 -p {server.port} -k {folder} -c log_statement=all "
               "-c fsync=off -c shared_buffers=32MB")
    start = subprocess.run(server._as_owner([str(binary / "pg_ctl"), "-D", str(folder / "data"), "-o", options,
                                             "-l", str(folder / "server.log"), "-w", "-t", "60", "start"]),
                           capture_output=True, text=True, timeout=120)
    if start.returncode:
        raise RuntimeError(f"pg_ctl start failed: {start.stdout.strip()[-500:]} {start.stderr.strip()[-500:]}")
    subprocess.run(server._as_owner([str(binary / "createdb"), "-h", "127.0.0.1", "-p", str(server.port),
                                     "-U", user, "shop"]), check=True, capture_output=True, timeout=60)
    return server


# ---------------------------------------------------------------- Spark


def java17() -> str | None:
    """JAVA_HOME of a Java 17 (what Spark 4.0 runs on), if there is one."""
    for home in sorted(glob.glob("/usr/lib/jvm/java-17-openjdk*")):
        if os.path.exists(os.path.join(home, "bin", "java")):
            return home
    return None


@dataclass
class Spark:
    process: subprocess.Popen
    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"sc://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_spark() -> Spark:
    """A local Spark Connect server (two cores) from pyspark's own jars."""
    try:
        import pyspark
    except ImportError:
        raise RuntimeError("pyspark is not installed (make servers)") from None
    home = java17()
    if home is None:
        raise RuntimeError("Java 17 is not installed (make servers: openjdk-17-jre-headless)")
    spark_home = Path(pyspark.__file__).parent
    if not glob.glob(str(spark_home / "jars" / "spark-connect_*.jar")):
        raise RuntimeError("this pyspark has no Spark Connect server jar")
    folder = Path(tempfile.mkdtemp(prefix="copis-spark-"))
    port = free_port()
    env = dict(os.environ, JAVA_HOME=home, SPARK_HOME=str(spark_home), SPARK_LOCAL_IP="127.0.0.1",
               SPARK_LOG_DIR=str(folder), SPARK_CONF_DIR=str(folder))
    args = [str(spark_home / "bin" / "spark-submit"), "--class",
            "org.apache.spark.sql.connect.service.SparkConnectServer", "--master", "local[2]",
            "--driver-memory", "1g",
            "--conf", "spark.connect.grpc.binding.address=127.0.0.1",
            "--conf", f"spark.connect.grpc.binding.port={port}",
            "--conf", "spark.ui.enabled=false", "--conf", "spark.driver.bindAddress=127.0.0.1",
            "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.sql.shuffle.partitions=2",
            "--conf", f"spark.sql.warehouse.dir={folder / 'warehouse'}",
            "--conf", f"spark.driver.extraJavaOptions=-Dderby.system.home={folder}",
            "spark-internal"]
    log = open(folder / "server.log", "wb")
    process = subprocess.Popen(args, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    if not _wait_port(port, 180, process):
        process.kill()
        text = (folder / "server.log").read_text(errors="replace")[-800:]
        raise RuntimeError(f"the Spark Connect server did not start: {text}")
    return Spark(process, port, folder)
