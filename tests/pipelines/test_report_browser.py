"""The HTML report renders in headless Chromium: charts drawn, no console errors, nothing fetched."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from realparts import unavailable

pytestmark = pytest.mark.e2e

CHART_BLUE = (0x3B, 0x6E, 0xA8)


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_report_renders_charts_without_console_errors(demo_run, tmp_path):
    browser = chromium()
    if browser is None:
        unavailable("headless Chromium not installed (Debian: apt-get install chromium); `make test` installs it when run as root")
    from PIL import Image

    _, ctx, _ = demo_run
    page = ctx.layout.stage_dir("report") / "report.html"
    shot = tmp_path / "report.png"
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}", "--enable-logging=stderr", "--v=0",
        "--window-size=1200,4000", "--hide-scrollbars",
    ]  # fmt: skip
    run = subprocess.run([browser, *flags, f"--screenshot={shot}", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert shot.exists(), run.stderr[-2000:]
    console = [line for line in run.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    failed = [line for line in run.stderr.splitlines() if "net::ERR" in line]
    assert not failed, f"the page tried to fetch something: {failed}"
    img = Image.open(shot).convert("RGB")
    pixels = img.getdata()
    blue = sum(1 for p in pixels if all(abs(a - b) < 12 for a, b in zip(p, CHART_BLUE)))
    assert blue > 5000, f"only {blue} chart-coloured pixels: charts did not render"
    dom = subprocess.run([browser, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert dom.count("<svg") >= 6 and "Provenance report" in dom
