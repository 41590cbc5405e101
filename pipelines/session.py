"""SparkSession factory: ``local[*]`` by default, any cluster by master URL.

Python workers run the same interpreter as the driver (``PYSPARK_PYTHON``),
so the models and code the driver imports are importable there too. On a
cluster, ship the environment as described in docs/operations.md.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

MIN_JAVA = 17

JAVA_HELP = (
    "kocorpus runs on Apache Spark, which needs Java {need} or newer.\n"
    "  Debian/Ubuntu:  sudo apt-get install -y openjdk-17-jre-headless\n"
    "  Fedora/RHEL:    sudo dnf install -y java-17-openjdk-headless\n"
    "  macOS:          brew install openjdk@17\n"
    "Then make sure `java -version` works, or set JAVA_HOME."
)

#: Defaults that suit a single machine; any of them can be overridden from [spark].conf.
DEFAULT_CONF = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.parquet.compression.codec": "zstd",
    "spark.sql.execution.arrow.maxRecordsPerBatch": "2000",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
    "spark.python.worker.reuse": "true",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "4g",
    "spark.sql.sources.partitionOverwriteMode": "static",
    "spark.task.maxFailures": "4",
}


class JavaMissingError(RuntimeError):
    pass


def java_version() -> int | None:
    """Major version of the ``java`` on PATH (or under JAVA_HOME); None when absent."""
    java = None
    if os.environ.get("JAVA_HOME"):
        cand = os.path.join(os.environ["JAVA_HOME"], "bin", "java")
        if os.path.exists(cand):
            java = cand
    java = java or shutil.which("java")
    if not java:
        return None
    try:
        out = subprocess.run([java, "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return None
    major = int(m.group(1))
    return int(m.group(2)) if major == 1 and m.group(2) else major


def check_java() -> int:
    version = java_version()
    if version is None or version < MIN_JAVA:
        found = "no java found" if version is None else f"found Java {version}"
        raise JavaMissingError(f"{found}. " + JAVA_HELP.format(need=MIN_JAVA))
    return version


def build_spark(
    master: str = "local[*]",
    app_name: str = "kocorpus",
    conf: dict[str, str] | None = None,
    checkpoint_dir: str | None = None,
):
    """Create (or return the active) SparkSession with kocorpus's defaults and ``conf``."""
    check_java()
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName(app_name)
    merged = {**DEFAULT_CONF, **(conf or {})}
    if master.startswith("local") and "spark.sql.shuffle.partitions" not in (conf or {}):
        merged["spark.sql.shuffle.partitions"] = str(max(2, 2 * (os.cpu_count() or 1)))
    for k, v in merged.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel(os.environ.get("KOCORPUS_SPARK_LOG_LEVEL", "ERROR"))
    if checkpoint_dir:
        spark.sparkContext.setCheckpointDir(checkpoint_dir)
    return spark
