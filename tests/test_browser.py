"""The reports and the index as a reader sees them: opened in headless Chromium.

Debian's ``chromium`` and ``chromium-driver`` (``make browser`` installs them; nothing is
downloaded at run time) are driven by Selenium with an explicit driver path, so Selenium
Manager never runs. The network is blocked three ways (host resolution, a dead proxy and
CDP ``Network.setBlockedURLs``), and every request the page makes is read back from the
browser's own logs, so a report that reached for a CDN would be caught even offline.

One ``mtr run`` (Viet Nam, Lao PDR and the regional synthesis) on the demo store, with
Lao PDR's source name replaced by a hostile 100,000-character text with bidirectional
overrides, gives the pages. With ``CI=true`` a missing browser fails the test instead of
skipping it.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from mtr_analysis.intake import store
from mtr_analysis.reporting import html
from mtr_analysis.run.runner import run_reports

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
#: Width of a small phone (CSS pixels).
PHONE = {"width": 375, "height": 812, "deviceScaleFactor": 1, "mobile": True}
DESKTOP = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
#: A source name a careless or hostile file could carry: a right-to-left override that
#: would show "lave" reversed, an isolate, then 100,000 characters.
HOSTILE_SOURCE = "\u202eevil\u202c \u2066iso\u2069 " + "W" * 100_000
#: Schemes of the browser's own pages (its start-up tab logs requests too).
BROWSER_INTERNAL = ("chrome:", "chrome-untrusted:", "chrome-search:", "devtools:")
PAGES = ("VNM.html", "LAO.html", "regional.html", "index.html")


def _browser_missing() -> str | None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if not missing:
        return None
    return (
        f"{' and '.join(missing)} missing: run `make browser` (Debian's chromium, chromium-driver)"
    )


@pytest.fixture(scope="module")
def reports(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Output folder of one run on the demo store with a hostile source name for LAO."""
    folder = tmp_path_factory.mktemp("hostile_store")
    for f in demo_store.iterdir():
        shutil.copy2(f, folder / f.name)
    obs = store.read_store(folder)
    obs.loc[obs["country"].eq("LAO"), "source"] = HOSTILE_SOURCE
    obs.to_parquet(folder / "observations.parquet", index=False)
    out = tmp_path_factory.mktemp("browser_reports")
    summary = run_reports(["VNM", "LAO"], "mid-term", folder, out, jobs=2, progress=False)
    assert summary.ok, [(r.name, r.error) for r in summary.results]
    return summary.index_path.parent


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory, monkeypatch_module: pytest.MonkeyPatch):
    """Headless Debian Chromium with the network blocked and logs of console and network."""
    reason = _browser_missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: the browser test must run)")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.selenium_manager import SeleniumManager

    monkeypatch_module.setenv("SE_AVOID_STATS", "true")

    def no_manager(*_a: Any, **_k: Any) -> None:
        raise AssertionError("Selenium Manager must not run (it would download a browser)")

    monkeypatch_module.setattr(SeleniumManager, "binary_paths", no_manager)
    options = Options()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium_profile')}",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
        "--proxy-server=127.0.0.1:9",
        "--allow-file-access-from-files",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    browser.execute_cdp_cmd("Network.enable", {})
    blocked = ["http://*", "https://*", "ws://*", "wss://*", "ftp://*", "blob:*"]
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": blocked})
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def monkeypatch_module():
    """A module-scoped ``MonkeyPatch`` (the built-in fixture is per test)."""
    with pytest.MonkeyPatch.context() as mp:
        yield mp


# In the page: table-of-contents targets, images, resources, banner box, page widths.
_INSPECT = """
const out = {toc: [], images: [], resources: [], banner: null};
for (const a of document.querySelectorAll('nav.mtr-toc a')) {
  const id = decodeURIComponent((a.getAttribute('href') || '').replace(/^#/, ''));
  const el = document.getElementById(id);
  a.click();
  const top = el ? el.getBoundingClientRect().top : null;
  out.toc.push({href: a.getAttribute('href'), tag: el ? el.tagName : null, top: top,
                hash: location.hash});
}
window.scrollTo(0, 0);
for (const img of document.images) {
  out.images.push({src: img.src.slice(0, 40), complete: img.complete, w: img.naturalWidth});
}
for (const e of performance.getEntriesByType('resource')) out.resources.push(e.name);
out.navigation = performance.getEntriesByType('navigation').map(e => e.name);
const banner = document.querySelector('.mtr-demo, .demo');
if (banner) {
  const r = banner.getBoundingClientRect();
  out.banner = {top: r.top, bottom: r.bottom, width: r.width, height: r.height};
}
out.innerWidth = window.innerWidth;
out.innerHeight = window.innerHeight;
out.scrollWidth = document.documentElement.scrollWidth;
out.bytes = document.documentElement.outerHTML.length;
out.text = document.body.innerText;
return out;
"""


def _open(driver: Any, page: Path, metrics: dict[str, Any]) -> dict[str, Any]:
    """Load ``page`` at the screen size ``metrics``; return what :data:`_INSPECT` found.

    Adds the page's console messages and every URL the network log saw requested.
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    driver.get_log("browser")  # empty the logs of the previous page
    driver.get_log("performance")
    driver.get(page.as_uri())
    # A large page may still be parsing when get() returns on a busy machine: wait for it.
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    found = driver.execute_script(_INSPECT)
    banner = driver.find_elements(By.CSS_SELECTOR, ".mtr-demo, .demo")
    found["banner_displayed"] = bool(banner) and banner[0].is_displayed()
    found["console"] = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    requested = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            # chrome:// pages are the browser's own start-up tab, out of a file page's reach.
            if not url.startswith(BROWSER_INTERNAL):
                requested.append(url)
    found["requested"] = requested
    return found


@pytest.fixture(scope="module")
def seen(driver: Any, reports: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Every page opened at desktop and phone width: ``(page, "desktop"|"phone")`` → facts."""
    out = {}
    for name in PAGES:
        for size, metrics in (("desktop", DESKTOP), ("phone", PHONE)):
            out[name, size] = _open(driver, reports / name, metrics)
    return out


@pytest.mark.parametrize("name", PAGES)
def test_page_logs_no_console_error(seen, name):
    for size in ("desktop", "phone"):
        assert seen[name, size]["console"] == [], (name, size)


@pytest.mark.parametrize("name", PAGES)
def test_page_requests_nothing_outside_the_file(seen, reports, name):
    facts = seen[name, "desktop"]
    assert facts["navigation"] == [(reports / name).as_uri()]
    for url in facts["resources"] + facts["requested"]:
        assert url.startswith(("file:", "data:")), (name, url)
    assert (reports / name).as_uri() in facts["requested"]  # the log did record requests


@pytest.mark.parametrize("name", [p for p in PAGES if p != "index.html"])
def test_table_of_contents_links_land_on_their_headings(seen, name):
    facts = seen[name, "desktop"]
    assert len(facts["toc"]) >= 8, name  # a real contents list, not an empty nav
    for link in facts["toc"]:
        assert link["tag"] in ("H2", "H3"), link
        assert link["hash"] == link["href"], link
        # Scrolled to the heading (the last ones may stop higher: the page ends below them).
        assert -2 <= link["top"] < facts["innerHeight"], link


@pytest.mark.parametrize("name", [p for p in PAGES if p != "index.html"])
def test_every_image_decodes(seen, name):
    images = seen[name, "desktop"]["images"]
    assert len(images) >= 3, name  # the charts are there
    for image in images:
        assert image["complete"] and image["w"] > 0, (name, image)
        assert image["src"].startswith("data:image/"), image  # embedded, not linked


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_demo_banner_visible_at_the_top(seen, name, size):
    facts = seen[name, size]
    box = facts["banner"]
    assert facts["banner_displayed"] and box is not None, (name, size)
    assert box["width"] > 0 and box["height"] > 0
    assert 0 <= box["top"] and box["bottom"] <= facts["innerHeight"], (name, size, box)


@pytest.mark.parametrize("name", PAGES)
def test_no_horizontal_scroll_at_phone_width(seen, name):
    facts = seen[name, "phone"]
    assert facts["innerWidth"] == PHONE["width"]  # the page declares a device-width viewport
    assert facts["scrollWidth"] <= facts["innerWidth"], (name, facts["scrollWidth"])


def test_hostile_source_shown_cut_without_direction_overrides(seen, reports):
    """LAO's 100,000-character source appears cut (tables: 300 characters), no overrides."""
    facts = seen["LAO.html", "desktop"]
    text = facts["text"]
    assert "evil iso " + "W" * 200 in text  # shown, in logical order, overrides removed
    cut = "evil iso " + "W" * (html.TEXT_LIMIT - len("evil iso ")) + "…"
    assert cut in text  # the sources table: cut to TEXT_LIMIT characters
    assert "W" * html.SENTENCE_LIMIT not in text  # findings quoting it: cut too
    for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069":
        assert ch not in text
    page = (reports / "LAO.html").read_text(encoding="utf-8")
    normal = (reports / "VNM.html").stat().st_size
    assert len(page.encode()) < 1.5 * normal  # not megabytes more than the clean country
    assert "W" * 2001 not in page  # tooltips are capped too
