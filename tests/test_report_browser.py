"""The report in a real browser: Debian's headless Chromium, driven by playwright, serving the
site from a loopback http.server this module starts and stops (and once from file:// URLs)."""
import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest


CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; playwright never downloads a browser here
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # playwright adds --headless

if not CHROMIUM.exists():  # a test that cannot run fails: .ci/run installs it
    pytest.fail(f"{CHROMIUM} missing: `apt-get install -y chromium` (.ci/run does)", pytrace=False)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def tables(extract_output):
    from pipeline.api import load_tables
    return load_tables(extract_output / "output")


@pytest.fixture(scope="module")
def site(report_site):
    return report_site


@pytest.fixture(scope="module")
def base_url(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright
    profile = tmp_path_factory.mktemp("chromium-profile")  # a fresh user-data-dir
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1400, "height": 900})
        yield context
        context.close()


class Watched:
    """A page whose console errors, script errors, dialogs and requests are recorded."""

    def __init__(self, context, allowed_prefix: str):
        self.page = context.new_page()
        self.errors, self.dialogs, self.foreign = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: r.url.startswith(allowed_prefix) or self.foreign.append(r.url))

    def assert_clean(self):
        assert self.errors == [] and self.dialogs == [] and self.foreign == []


def nonzero_status_pairs(tables):
    """Bar segments the status chart must draw: one per notice and status with items."""
    columns = ["n_completed", "n_partially_completed", "n_not_completed", "n_unknown"]
    return int((tables["notice_summary"][columns] > 0).sum().sum())


def nonzero_money(tables):
    columns = ["money_recovered", "money_at_issue", "money_invested"]
    return int((tables["notice_summary"][columns].fillna(0) > 0).sum().sum())


def test_index_lists_every_notice_and_draws_its_charts(browser, base_url, tables, tmp_path):
    watched = Watched(browser, base_url)
    page = watched.page
    page.goto(base_url + "index.html")
    page.wait_for_selector("#chart-status svg .mark-rect path")
    listed = page.eval_on_selector_all("#notices tbody tr", "rows => rows.map(r => r.dataset.noticeId)")
    manifest = tables["manifest"]
    assert sorted(listed) == sorted(tables["notices"]["notice_id"]) == sorted(
        manifest.loc[manifest["status"] == "ok", "notice_id"])
    assert len(listed) == 5
    bars = page.locator("#chart-status svg .mark-rect path").count()
    assert bars == nonzero_status_pairs(tables)  # one bar segment per notice and status with items
    page.wait_for_selector("#chart-money svg .mark-rect path")
    assert page.locator("#chart-money svg .mark-rect path").count() == nonzero_money(tables)
    assert page.locator("#chart-people svg .mark-rect path").count() > 0
    money_cells = page.eval_on_selector_all("#notices tbody tr", "rows => rows.map(r => r.cells[8].innerText)")
    summary = tables["notice_summary"].set_index("notice_id").loc[listed]
    assert money_cells == [f"{v:,.0f}" for v in summary["money_recovered"]]
    page.screenshot(path=str(tmp_path / "index.png"), full_page=True)
    assert (tmp_path / "index.png").stat().st_size > 10_000
    watched.assert_clean()


def test_every_notice_page_marks_each_entity_row_and_its_links_resolve(browser, base_url, tables, tmp_path):
    watched = Watched(browser, base_url)
    page = watched.page
    for nid in tables["notices"]["notice_id"]:
        page.goto(f"{base_url}notices/{nid}.html")
        entities = tables["entities"].query("notice_id == @nid")
        assert page.locator(".notice-text mark.entity").count() == len(entities)
        ids = page.eval_on_selector_all(".notice-text mark.entity", "ms => ms.map(m => m.id)")
        assert sorted(ids) == sorted(f"c{s}" for s in entities["start"])
        hrefs = page.eval_on_selector_all('a[href^="#c"]', "as => as.map(a => a.getAttribute('href'))")
        money_in_measures = entities.query("label in ['MONEY', 'PERSON_COUNT'] and measure_id.notna()")
        assert len(hrefs) >= len(money_in_measures)
        marked = page.eval_on_selector_all(".notice-text mark", "ms => ms.map(m => m.id)")
        assert set(h[1:] for h in hrefs) <= set(marked)  # every number links to a highlighted span
        facts = tables["facts"].query("notice_id == @nid")
        assert page.locator("#facts li.fact").count() == len(facts)
        assert page.locator("#facts li.fact a.num").count() == len(facts)  # each fact links to its number
        counted = [f for f in facts.itertuples() if not ((entities.start <= f.start) & (f.start < entities.end)).any()]
        assert page.locator(".notice-text mark.fact").count() == len(counted)
        assert page.locator("#items tbody tr").count() == (tables["items"]["notice_id"] == nid).sum()
        assert page.locator("#measures tbody tr").count() == (tables["measures"]["notice_id"] == nid).sum()
    page.screenshot(path=str(tmp_path / "notice.png"))
    watched.assert_clean()


def test_a_number_link_jumps_to_its_span_in_the_text(browser, base_url, tables):
    watched = Watched(browser, base_url)
    page = watched.page
    money = tables["entities"].query("label == 'MONEY' and measure_id.notna()").iloc[0]
    page.goto(f"{base_url}notices/{money.notice_id}.html")
    page.locator(f'#measures a[href="#c{money.start}"]').first.click()
    assert page.evaluate("location.hash") == f"#c{money.start}"
    target = page.locator(":target")
    assert target.get_attribute("data-label") == "MONEY"
    assert target.inner_text().startswith(money.text)
    box, pane = target.bounding_box(), page.locator("#text-pane").bounding_box()
    assert pane["y"] <= box["y"] <= pane["y"] + pane["height"]  # scrolled into view
    watched.assert_clean()


def test_markup_in_a_notice_is_shown_as_text_never_run(browser, base_url, tables):
    watched = Watched(browser, base_url)
    page = watched.page
    notices = tables["notices"]
    nid = notices.loc[notices["source_path"] == "x-markup.txt", "notice_id"].item()
    page.goto(f"{base_url}notices/{nid}.html")
    assert page.evaluate("document.images.length") == 0
    assert "<img src=x onerror=alert(1)>" in page.locator(".notice-text").inner_text()
    assert "</script><b>x</b>" in page.locator("#measures").inner_text()
    assert "<img src=x onerror=alert(1)>" in page.locator("#items").inner_text()
    assert page.locator("#measures b").count() == 0
    watched.assert_clean()


def test_the_site_works_offline_from_file_urls(browser, site, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(site, copy)  # anywhere on disk: links are relative
    watched = Watched(browser, "file://")
    page = watched.page
    page.route("http*://**", lambda route: route.abort())  # no network at view time
    page.goto((copy / "index.html").as_uri())
    page.wait_for_selector("#chart-status svg .mark-rect path")
    page.locator("#notices tbody tr a").first.click()
    page.wait_for_selector(".notice-text mark.entity")
    watched.assert_clean()
