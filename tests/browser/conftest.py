"""What the browser tests share: Debian's chromium driven by Playwright, and axe-core's accessibility check."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results"


@pytest.fixture
def page(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert Path(CHROMIUM).exists(), "Debian's chromium is needed: apt-get install chromium (make test does this)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser.new_page()
        browser.close()


def accessibility_problems(page: Page) -> list[str]:
    """Serious and critical WCAG 2.2 AA problems axe-core finds on the page as it stands."""
    page.evaluate(AXE.read_text())  # evaluated, not a <script> tag, so the page's Content Security Policy stays on
    result = page.evaluate("() => axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag22aa']})")
    return [f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)" for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot in test-results/, to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)
