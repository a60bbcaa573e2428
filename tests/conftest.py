"""Fixtures shared by every test folder.

One playwright instance per test session: playwright's sync API runs an event
loop, and a second ``sync_playwright()`` started while the first is alive fails
("using Playwright Sync API inside the asyncio loop"). So the browser tests
(tests/browser) and the site's network-log test (tests/kit) share these.

    chromium_path   $RNNLAB_CHROMIUM or /usr/bin/chromium; skips the test when missing
    browser         session-wide playwright Browser (headless Chromium)
"""
import os

import pytest

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# without the background-networking flags Chromium tries to reach Google's hosts,
# which a closed network refuses many times over
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path():
    path = os.environ.get("RNNLAB_CHROMIUM") or DEFAULT_CHROMIUM
    if not os.path.exists(path):
        pytest.skip(f"Chromium not found at {path}: install Debian's package with "
                    "`apt-get install -y chromium` (.ci/run does that as root) "
                    "or point RNNLAB_CHROMIUM at a Chromium binary")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
