"""Regenerate the README pictures from the real panels.

    .venv/bin/python docs/images/make_images.py

playground.png: the Voila app in headless Chromium after an RNN run and a GRU
run (so the overlay shows); gradient_flow.png: the gradient-flow view's own
figure at T=60. Needs voila, playwright and Debian's chromium.
"""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def playground_png():
    from playwright.sync_api import expect, sync_playwright

    port = free_port()
    env = dict(os.environ, JUPYTER_CONFIG_DIR=tempfile.mkdtemp())
    server = subprocess.Popen([sys.executable, "-m", "voila", "--no-browser", f"--port={port}",
                               "--Voila.ip=127.0.0.1", str(REPO / "notebooks" / "playground_app.ipynb")],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
            page = browser.new_page(viewport={"width": 1250, "height": 900})
            page.goto(f"http://127.0.0.1:{port}/", timeout=180_000)
            panel = page.locator(".rnnlab-playground")
            status = panel.locator(".rnnlab-status")
            expect(status).to_contain_text("ready", timeout=180_000)
            panel.locator("button.rnnlab-train").click()
            expect(status).to_contain_text("completed", timeout=120_000)
            # the cell toggle is a radio group (its inputs sit inside their labels): click the label
            panel.locator("label.rnnlab-ctl-choice").filter(has_text="GRU").click()
            expect(status).to_contain_text("ready", timeout=30_000)
            panel.locator("button.rnnlab-train").click()
            expect(status).to_contain_text("completed", timeout=120_000)
            page.wait_for_timeout(500)
            panel.screenshot(path=str(HERE / "playground.png"))
            browser.close()
    finally:
        server.terminate()
        server.wait(20)


def gradient_flow_png():
    from rnnlab.widgets import GradientFlowView

    view = GradientFlowView(T=60)
    (HERE / "gradient_flow.png").write_bytes(view.canvas.png())


if __name__ == "__main__":
    gradient_flow_png()
    playground_png()
    print("wrote", HERE / "playground.png", "and", HERE / "gradient_flow.png")
