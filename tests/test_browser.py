"""The HTML report in a real browser: headless Chromium driven by selenium and chromedriver.

The report is opened from a file:// URL, as a reader would open it. Checks: no console
errors, no network request other than the document itself (read from chromedriver's
performance log, i.e. the DevTools Network events), every chart drawn, tables that sort,
a print layout, and workload names carrying script and event-handler payloads shown as
text without any of them running. Screenshots go to each test's tmp_path.

Chromium and chromedriver are looked up on PATH; when missing, and running as root with
apt-get available, the Debian packages ``chromium chromium-driver`` are installed; failing
that the tests skip, saying why.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import inference_row, scenario_tables, write_scenario
from test_report import CHART_IDS, DEFAULT_SCENARIO, HOSTILE_NAMES, SECTION_IDS, render_hostile
from planner import cli
from planner.synthetic import synthetic_tables

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e '.[test]')")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage",
                "--window-size=1280,900")


def _find_browser() -> tuple[str | None, str | None]:
    browser = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    return browser, shutil.which("chromedriver")


def _install_browser() -> str:
    """Try the Debian packages; return what happened, for the skip reason."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not running as root, so it cannot be installed here"
    apt = shutil.which("apt-get")
    if apt is None:
        return "apt-get is not available to install it"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    command = [apt, "install", "-y", "--no-install-recommends", "chromium", "chromium-driver"]
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode != 0:  # stale package lists: refresh once and retry
            subprocess.run([apt, "update"], env=env, capture_output=True, text=True, timeout=300)
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"apt-get install chromium chromium-driver failed: {error}"
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        return f"apt-get install chromium chromium-driver failed: {last[0]}"
    return "apt-get installed chromium, but it is still not found on PATH"


@pytest.fixture(scope="module")
def browser_paths() -> tuple[str, str]:
    browser, driver = _find_browser()
    if browser is None or driver is None:
        why = _install_browser()
        browser, driver = _find_browser()
        if browser is None or driver is None:
            missing = " and ".join(n for n, p in (("chromium", browser), ("chromedriver", driver)) if p is None)
            pytest.skip(f"headless browser test needs {missing}: {why}")
    return browser, driver


@pytest.fixture(scope="module")
def driver(browser_paths):
    browser, chromedriver = browser_paths
    profile = tempfile.mkdtemp(prefix="planner-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    chrome = webdriver.Chrome(service=Service(chromedriver), options=options)
    chrome.set_page_load_timeout(20)
    chrome.get("about:blank")  # let the browser's own start-up pages settle before any report is opened
    try:
        yield chrome
    finally:
        chrome.quit()
        shutil.rmtree(profile, ignore_errors=True)


def open_report(chrome, html_path: Path) -> dict:
    """Load the report; return the document URL, every URL the page requested and the console entries."""
    chrome.get_log("performance")  # drop what earlier pages logged
    chrome.get_log("browser")
    url = html_path.resolve().as_uri()
    chrome.get(url)
    chrome.execute_script("return document.readyState")
    requests = []
    for entry in chrome.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] != "Network.requestWillBeSent":
            continue
        params = message["params"]
        # the browser's own chrome:// pages are not the report's doing; anything else is
        if params.get("documentURL") == url or not params["request"]["url"].startswith("chrome://"):
            requests.append(params["request"]["url"])
    return dict(url=url, requests=requests, console=chrome.get_log("browser"))


def screenshot(chrome, path: Path) -> Path:
    """The whole page, not only the window."""
    height = chrome.execute_script("return document.documentElement.scrollHeight")
    width = chrome.execute_script("return document.documentElement.scrollWidth")
    shot = chrome.execute_cdp_cmd("Page.captureScreenshot", {
        "captureBeyondViewport": True, "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
    })
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def errors(console: list[dict]) -> list[dict]:
    return [entry for entry in console if entry["level"] in ("SEVERE", "ERROR")]


@pytest.fixture(scope="module")
def default_html(tmp_path_factory) -> Path:
    return cli.run(DEFAULT_SCENARIO, tmp_path_factory.mktemp("browser-default") / "report")[1]


def test_default_report_loads_offline_with_every_chart_drawn(driver, default_html, tmp_path):
    loaded = open_report(driver, default_html)
    assert errors(loaded["console"]) == []
    assert loaded["requests"] == [loaded["url"]], "the report must request nothing but itself"
    assert driver.title.startswith("Capacity plan: ")

    sections = driver.execute_script("return Array.from(document.querySelectorAll('main > section'), s => s.id)")
    assert sections == list(SECTION_IDS)
    charts = driver.execute_script("""
        return Array.from(document.querySelectorAll('figure'), f => {
            const svg = f.querySelector('svg');
            const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
            const drawn = svg ? Array.from(svg.querySelectorAll('rect, line, polyline, circle, path'))
                .filter(p => { const b = p.getBBox(); return b.width > 0 || b.height > 0; }).length : 0;
            return {id: f.id, width: box.width, height: box.height, drawn: drawn,
                    texts: svg ? svg.querySelectorAll('text').length : 0};
        });""")
    assert [c["id"] for c in charts] == list(CHART_IDS)
    for chart in charts:
        assert chart["width"] > 300 and chart["height"] > 100, chart
        assert chart["drawn"] >= 10 and chart["texts"] >= 5, chart
    # nothing wider than the window: the tables that could be scroll inside their own box
    assert driver.execute_script("return document.documentElement.scrollWidth <= window.innerWidth")

    shot = screenshot(driver, tmp_path / "report.png")
    assert shot.stat().st_size > 50_000


def test_clicking_a_header_sorts_the_table(driver, default_html):
    loaded = open_report(driver, default_html)
    assert errors(loaded["console"]) == []
    table = driver.find_element(By.CSS_SELECTOR, "#workloads table.sortable")
    headers = table.find_elements(By.CSS_SELECTOR, "thead th")
    served = next(i for i, h in enumerate(headers) if h.text.startswith("Served"))
    column = f"Array.from(arguments[0].tBodies[0].rows, r => parseFloat(r.cells[{served}].dataset.v))"

    headers[served].find_element(By.CSS_SELECTOR, "button.sort").click()
    values = driver.execute_script(f"return {column}", table)
    assert values == sorted(values) and headers[served].get_attribute("aria-sort") == "ascending"
    headers[served].find_element(By.CSS_SELECTOR, "button.sort").click()
    values = driver.execute_script(f"return {column}", table)
    assert values == sorted(values, reverse=True) and headers[served].get_attribute("aria-sort") == "descending"


def test_blank_inputs_sort_last_either_way(driver, default_html):
    """An input left blank is no value: it sorts after every number, ascending or descending."""
    open_report(driver, default_html)
    found = driver.execute_script("""
        for (const table of document.querySelectorAll('#inputs table.sortable')) {
          const rows = Array.from(table.tBodies[0].rows);
          for (let c = 0; c < rows[0].cells.length; c++) {
            const cells = rows.map(r => r.cells[c]);
            if (cells.some(td => td.classList.contains('blank')) && cells.some(td => td.classList.contains('n')))
              return [table, c];
          }
        }
        return null;""")
    assert found is not None, "the default scenario leaves some optional number blank"
    table, column = found
    button = table.find_elements(By.CSS_SELECTOR, "thead th button.sort")[column]
    for _ in range(2):  # ascending, then descending
        button.click()
        blank = driver.execute_script(
            f"return Array.from(arguments[0].tBodies[0].rows, r => r.cells[{column}].classList.contains('blank'))",
            table)
        assert blank == sorted(blank), blank  # every blank after every value


A4_WIDTH = 703  # CSS px between an A4 page's margins: 210 mm less 2 x 12 mm


@contextlib.contextmanager
def print_media(chrome):
    """The page laid out for print while in the block."""
    chrome.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        yield
    finally:
        chrome.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_print_layout(driver, default_html, tmp_path):
    """Print media: navigation hidden, charts and tables kept whole, each chart within the page width."""
    open_report(driver, default_html)
    with print_media(driver):
        styles = driver.execute_script("""
            const style = (selector, property) => getComputedStyle(document.querySelector(selector))[property];
            return {toc: style('nav.toc', 'display'), figure: style('figure.chart', 'breakInside'),
                    table: style('#periods table', 'breakInside'), charts: style('#charts', 'breakBefore')};""")
        assert styles == {"toc": "none", "figure": "avoid", "table": "avoid", "charts": "page"}
        # nothing runs off an A4 page
        overflowing = at_width(driver, A4_WIDTH, """
            const width = document.documentElement.clientWidth;
            return Array.from(document.querySelectorAll("table, figure, .cards"))
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .map(e => (e.closest("section") || {}).id + ": " + e.tagName + " " + e.getAttribute("aria-labelledby"));""")
        assert overflowing == []
        # A4 portrait at the report's margins
        pdf = driver.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69,
                                                         "printBackground": True})
        path = tmp_path / "report-a4.pdf"
        path.write_bytes(base64.b64decode(pdf["data"]))
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", path.read_bytes()))
        assert 3 <= pages <= 30, pages
        screenshot(driver, tmp_path / "report-print.png")


def test_printed_chart_text_is_legible(driver, default_html):
    """On A4, every label a chart prints is 8 pt or more (its size in the SVG's units times the scale the
    page draws the SVG at), none overlaps another and none runs off the page. The default report's labels
    are level or upright, so the boxes the browser gives them are their outlines."""
    open_report(driver, default_html)
    with print_media(driver):
        printed = at_width(driver, A4_WIDTH, """
            const labels = Array.from(document.querySelectorAll('figure.chart svg'), svg => {
                const box = svg.getBoundingClientRect(), view = svg.viewBox.baseVal;
                const scale = Math.min(box.width / view.width, box.height / view.height);
                return Array.from(svg.querySelectorAll('text'))
                    .filter(t => getComputedStyle(t).display !== 'none')
                    .map(t => { const r = t.getBoundingClientRect();
                                return {chart: svg.closest('figure').id, text: t.textContent,
                                        pt: parseFloat(getComputedStyle(t).fontSize) * scale * 0.75,
                                        left: r.left, right: r.right, top: r.top, bottom: r.bottom}; });
            }).flat();
            return {labels: labels, page: document.documentElement.clientWidth};""")
    labels, page = printed["labels"], printed["page"]
    smallest = min(labels, key=lambda label: label["pt"])
    assert smallest["pt"] >= 8.0, smallest
    assert [(label["chart"], label["text"]) for label in labels if label["left"] < 0 or label["right"] > page] == []
    overlapping = [(a["chart"], a["text"], b["text"]) for i, a in enumerate(labels) for b in labels[i + 1:]
                   if a["chart"] == b["chart"] and min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
                   and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1]
    assert overlapping == []


def at_width(chrome, width: int, script: str, mobile: bool = False):
    """``script``'s value with the window ``width`` CSS pixels wide."""
    chrome.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": mobile})
    try:
        # the page answers a resize in the next frame's rendering steps: on a busy machine the script
        # could otherwise run first and read what the page had made of the last width
        chrome.execute_async_script("requestAnimationFrame(() => requestAnimationFrame(arguments[0]))")
        return chrome.execute_script(script)
    finally:
        chrome.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


# pixels the page is wider than its window: only tables and charts may scroll, within their own box
OVERFLOW = "return document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_the_page_fits_a_phone_and_a_long_name(driver, default_html, tmp_path):
    """At a phone's width nothing but tables and charts scrolls sideways, and chart text keeps a
    legible size; on a desktop a 170-character service name wraps rather than widening the page."""
    open_report(driver, default_html)
    assert at_width(driver, 390, OVERFLOW, mobile=True) == 0
    # a chart keeps its own size in a narrow window (a phone; a desktop page zoomed to 200%): its
    # text is as large as drawn, and grows with the zoom like the page's
    scale = """const svg = document.querySelector('figure.chart svg');
               return svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"""
    assert at_width(driver, 390, scale, mobile=True) == pytest.approx(1.0)
    assert at_width(driver, 640, scale) == pytest.approx(1.0)
    assert at_width(driver, 900, scale) == pytest.approx(1.0)
    # the boxes that scroll take the focus, under their table's name; at a desktop's width only the
    # widest charts' figures scroll
    reachable = """return Array.from(document.querySelectorAll('.wide, figure.chart'))
                   .filter(b => b.tabIndex === 0 && !b.closest('details'))
                   .map(b => b.getAttribute('role') + ':' + b.getAttribute('aria-labelledby'));"""
    boxes = at_width(driver, 390, reachable, mobile=True)
    assert "region:periods-title" in boxes and "region:fleet-grid-title" in boxes and "figure:power-title" in boxes
    assert at_width(driver, 1280, reachable) == []

    tables = scenario_tables(inference=[inference_row("serve-" + "very-long-model-name-" * 8)])
    html_path = cli.run(write_scenario(tables, tmp_path / "long.xlsx"), tmp_path / "long")[1]
    open_report(driver, html_path)
    assert at_width(driver, 1280, OVERFLOW) == 0


def test_names_with_payloads_show_as_text_and_never_run(driver, tmp_path):
    html_path = render_hostile(tmp_path)
    loaded = open_report(driver, html_path)
    # a payload the policy had to block would show up as a console error: there must be none
    assert errors(loaded["console"]) == []
    assert loaded["requests"] == [loaded["url"]]
    assert driver.execute_script("return window.__pwned === undefined")
    assert driver.title != "pwned" and driver.title.startswith("Capacity plan: </title><script>")
    assert driver.execute_script("return document.querySelectorAll('[onmouseover], [onerror], img').length") == 0
    assert driver.execute_script("return document.scripts.length") == 1

    # hovering everything a name could have become part of
    for element in driver.find_elements(By.CSS_SELECTOR, "td, th, li, h1, text")[:400]:
        driver.execute_script("arguments[0].dispatchEvent(new MouseEvent('mouseover', {bubbles: true}))", element)
    assert driver.execute_script("return window.__pwned === undefined")

    text = driver.execute_script("return document.body.innerText")
    svg_text = driver.execute_script("return Array.from(document.querySelectorAll('svg text'), t => t.textContent)"
                                     ".join('\\n')")
    for name in HOSTILE_NAMES:
        assert name in text, name
    for name in HOSTILE_NAMES[:5]:  # workload and GPU names are chart labels too
        assert name in svg_text, name
    screenshot(driver, tmp_path / "hostile.png")


def test_sweep_summary_loads_offline_sorts_and_links_each_report(driver, tmp_path, monkeypatch):
    """A sweep of two copies of the default scenario and a damaged file: the summary opens offline
    without errors, sorts, and its links open the scenarios' own reports, a folder named with
    characters a URL gives meaning to (%, #, ?) too."""
    for name in ("a", "b +10% #3?"):
        shutil.copy(DEFAULT_SCENARIO, tmp_path / f"{name}.xlsx")
    (tmp_path / "damaged.xlsx").write_bytes(b"not a workbook")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["solve", "a.xlsx", "damaged.xlsx", "b +10% #3?.xlsx"]) == cli.EXIT_INPUT
    loaded = open_report(driver, tmp_path / "reports" / "sweep.html")
    assert errors(loaded["console"]) == []
    assert loaded["requests"] == [loaded["url"]]
    table = driver.find_element(By.CSS_SELECTOR, "table.sortable")
    inputs = "return Array.from(arguments[0].tBodies[0].rows, r => r.cells[0].textContent)"
    assert driver.execute_script(inputs, table) == ["a.xlsx", "damaged.xlsx", "b +10% #3?.xlsx"]
    table.find_elements(By.CSS_SELECTOR, "thead th")[0].find_element(By.CSS_SELECTOR, "button.sort").click()
    assert driver.execute_script(inputs, table) == ["a.xlsx", "b +10% #3?.xlsx", "damaged.xlsx"]
    served = table.find_elements(By.CSS_SELECTOR, "thead th")[3].find_element(By.CSS_SELECTOR, "button.sort")
    for _ in range(2):  # the scenario without a plan sorts last, ascending and descending
        served.click()
        assert driver.execute_script(inputs, table)[-1] == "damaged.xlsx"
    links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tbody a")]
    assert len(links) == 2
    for link in links:
        driver.get(link)
        assert driver.title.startswith("Capacity plan: ")


def test_a_sweep_with_power_steps_fits_a_laptop_screen_and_a_page(driver, tmp_path, monkeypatch):
    """A sweep's twelve columns, a failed scenario among them, fit a 1366-pixel screen with no sideways scrolling
    and headings two to four words a line: held to the report's reading width, the table scrolled, its last
    columns out of sight, under a heading row seven lines deep. The widths that ask for keep to the screen:
    printed, the table fits the page."""
    shutil.copy(DEFAULT_SCENARIO, tmp_path / "site-with-a-longer-name.xlsx")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["solve", "site-with-a-longer-name.xlsx", str(DEFAULT_SCENARIO), "missing.xlsx", "--power-step",
                     "5", "--outputs", "html"]) == cli.EXIT_INPUT
    open_report(driver, tmp_path / "reports" / "sweep.html")
    box, lines = at_width(driver, 1366, """
        const box = document.querySelector('.wide'), line = parseFloat(getComputedStyle(document.body).lineHeight);
        const th = getComputedStyle(box.querySelector('thead th'));
        return [box.scrollWidth - box.clientWidth, (box.querySelector('thead').getBoundingClientRect().height
                - parseFloat(th.paddingTop) - parseFloat(th.paddingBottom)) / line];""")
    assert box == 0
    assert lines <= 4.0
    with print_media(driver):  # and on A4, every column on the page
        over = at_width(driver, A4_WIDTH, """return document.querySelector('.wide table').getBoundingClientRect().right
                                                   - document.documentElement.clientWidth;""")
    assert over <= 1


def test_what_a_mw_more_is_worth_along_a_sweep_prints_with_its_chart(driver, default_html, tmp_path, monkeypatch):
    """The worth of a MW more along a sweep's line is in the chart's figures alone: they are shown open and print
    with the chart, within the page, where a report's figures (which its chart draws) are left out of print."""
    monkeypatch.chdir(tmp_path)
    assert cli.main(["vary", str(DEFAULT_SCENARIO), "--out", "variants", "--power", "90,100,110"]) == 0
    assert cli.main(["solve", *sorted(str(p) for p in Path("variants").iterdir()), "--outputs", "html"]) == 0
    open_report(driver, tmp_path / "reports" / "sweep.html")
    script = """return Array.from(document.querySelectorAll('details.figures'), d => [
        d.previousElementSibling.id, getComputedStyle(d).display, d.open,
        Array.from(d.querySelectorAll('tbody tr'), r => r.cells[3].textContent.trim()),
        d.querySelector('table').getBoundingClientRect().right - document.documentElement.clientWidth]);"""
    [(chart, display, shown, worth, _)] = driver.execute_script(script)
    assert (chart, display, shown) == ("chart-served-by-budget", "block", True)
    assert len(worth) == 3 and worth[0] in ("", "–") and all(re.fullmatch(r"\d+\.\d+", w) for w in worth[1:]), worth
    with print_media(driver):
        [(_, display, _, _, over)] = at_width(driver, A4_WIDTH, script)
    assert display == "block" and over <= 1
    open_report(driver, default_html)
    with print_media(driver):
        shown = driver.execute_script("return Array.from(document.querySelectorAll('#charts details.figures'), "
                                      "d => getComputedStyle(d).display);")
    assert shown and set(shown) == {"none"}


def _synthetic_report(tmp_path_factory, name: str, *size: int, seed: int) -> Path:
    """The report of a synthetic scenario of ``size`` (workloads, GPU types, periods)."""
    directory = tmp_path_factory.mktemp(f"browser-{name}")
    source = write_scenario(synthetic_tables(*size, seed=seed), directory / f"{name}.xlsx")
    return cli.run(source, directory / "report")[1]


@pytest.fixture(scope="module")
def large_html(tmp_path_factory) -> Path:
    """500 workloads on 6 GPU types over 12 months: GPU types bind, and the period grids scroll."""
    return _synthetic_report(tmp_path_factory, "large", 500, 6, 12, seed=1)


def test_chart_text_stays_within_its_chart(driver, large_html):
    """At 500 workloads the charts' titles say which workloads they show and why, at length: every text a
    chart draws, its title too, stays within the chart's box."""
    open_report(driver, large_html)
    outside = driver.execute_script("""
        return Array.from(document.querySelectorAll('figure.chart svg'), svg => {
            const box = svg.getBoundingClientRect();
            return Array.from(svg.querySelectorAll('text'), t => [t, t.getBoundingClientRect()])
                .filter(([t, r]) => r.left < box.left || r.right > box.right || r.top < box.top
                                    || r.bottom > box.bottom)
                .map(([t, r]) => svg.closest('figure').id + ': ' + t.textContent);
        }).flat();""")
    assert outside == []


def test_text_read_out_in_a_scrolled_table_does_not_widen_the_page(driver, large_html):
    """The words a screen reader gives a binding GPU cell are kept inside the grid's scrolling box: cells
    scrolled out of sight must not make the whole page scroll sideways, at a desktop's width or a phone's."""
    open_report(driver, large_html)
    hidden_right = """const box = document.querySelector('#periods .wide:has(table.grid)');
        return Array.from(box.querySelectorAll('.sr'))
            .some(s => s.getBoundingClientRect().left > box.getBoundingClientRect().right);"""
    assert at_width(driver, 1280, hidden_right), "the grid should have read-out text scrolled out of sight"
    assert at_width(driver, 1280, OVERFLOW) == 0
    assert at_width(driver, 768, OVERFLOW) == 0
    assert at_width(driver, 390, OVERFLOW, mobile=True) == 0


def test_on_a_phone_no_table_row_stands_a_quarter_of_the_screen_tall(driver, large_html):
    """A table wider than a phone scrolls in its box: squeezed to the screen's width as well, the services cut
    short in a period (a dozen names) wrapped after every word, into rows of 400 px and more, each a screen of
    blank figures to scroll past."""
    open_report(driver, large_html)
    tallest = at_width(driver, 390, """
        return Array.from(document.querySelectorAll('table')).filter(t => t.getClientRects().length)
            .flatMap(t => Array.from(t.rows, r => [t.getAttribute('aria-labelledby'),
                                                   r.getBoundingClientRect().height]))
            .filter(([name, height]) => height > 900 / 4);""", mobile=True)
    assert tallest == []


def test_on_a_phone_a_scrolling_table_heads_its_columns_in_a_line_each(driver, default_html):
    """On a phone, a heading of a table that scrolls sideways takes one line, its unit another: squeezed to
    the screen's width, 'Holds for at least' took a line a word, and every column under a heading row half a
    screen deep, blank where the visible columns' headings end. A transposed sheet's headings are its rows'
    names, free to wrap."""
    open_report(driver, default_html)
    deep = at_width(driver, 390, """
        const line = parseFloat(getComputedStyle(document.body).lineHeight);
        return Array.from(document.querySelectorAll('.wide table:not(.transposed)'))
            .filter(t => t.getClientRects().length && t.tHead)
            .map(t => [t.getAttribute('aria-labelledby'), t.tHead.getBoundingClientRect().height / line])
            .filter(([name, lines]) => lines > 2.5);""", mobile=True)
    assert deep == []


def test_on_a_phone_row_names_stay_in_view_and_wrap_once_at_most(driver, default_html):
    """On a phone, a table that scrolls sideways keeps each row's name (and its heading) in view as its figures
    scroll past; and a hyphenated name of the default scenario (serve-frontier-moe-236b) wraps once at most,
    not a line a part as it did in a column squeezed to its narrowest."""
    open_report(driver, default_html)
    left_behind, lines = at_width(driver, 390, """
        const boxes = Array.from(document.querySelectorAll('.wide'))
            .filter(box => box.getClientRects().length && box.scrollWidth > box.clientWidth + 20);
        const behind = [];
        for (const box of boxes) {
            box.scrollLeft = box.scrollWidth;
            const left = box.getBoundingClientRect().left;
            const table = box.querySelector('table');
            for (const row of [table.tHead.rows[0], table.tBodies[0].rows[0]]) {
                const x = row.cells[0].getBoundingClientRect().left;
                if (Math.abs(x - left) > 1) behind.push([table.getAttribute('aria-labelledby'), x - left]);
            }
            box.scrollLeft = 0;
        }
        const lines = {};
        // a name: a row heading's own text (not its unit, nor an assumption's sentence)
        for (const cell of document.querySelectorAll('.wide tbody th[scope="row"]:first-child:not(.wrap)')) {
            for (const name of Array.from(cell.childNodes).filter(n => n.nodeType === 3 && n.data.trim())) {
                if (!cell.getClientRects().length) continue;
                const range = document.createRange();
                range.selectNodeContents(name);
                const tops = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
                lines[name.data.trim()] = Math.max(lines[name.data.trim()] || 0, tops.size);
            }
        }
        return [behind, lines];""", mobile=True)
    assert left_behind == []
    assert lines["serve-frontier-moe-236b"] == 2 and {name: n for name, n in lines.items() if n > 2} == {}, lines


def test_twelve_periods_of_allocation_fit_a_wide_screen_a_row_a_line(driver, large_html):
    """Twelve periods of GPUs by workload: held to the page's reading width, the table scrolled with its last
    period cut off mid-figure, its only scroll bar 14,000 pixels down. A screen wider than the page lends the
    table its room to the right (the page itself never scrolls sideways); squeezed to a narrower one, the table
    scrolls, and each workload's name stays on its row's one line, beside the dot of its kind."""
    open_report(driver, large_html)
    measure = """
        const box = document.querySelector('table[aria-labelledby="allocation-title"]').closest('.wide');
        const rows = Array.from(box.querySelector('table').tBodies[0].rows).slice(0, 50);
        const tall = rows.filter(r => r.cells[0].getBoundingClientRect().height > 1.6 * parseFloat(
            getComputedStyle(r.cells[0]).lineHeight) + 10).length;
        return [box.scrollWidth - box.clientWidth, tall,
                document.documentElement.scrollWidth - document.documentElement.clientWidth];"""
    assert at_width(driver, 1400, measure) == [0, 0, 0]
    scrolled, tall, page = at_width(driver, 1100, measure)
    assert scrolled > 0 and tall == 0 and page == 0


def test_a_long_table_scrolls_in_a_screen_high_box_its_headings_in_view(driver, large_html):
    """A table of 300 rows and twelve periods on a laptop screen: its headings were meant to stay at the top as
    it scrolled, but its box, scrolling sideways, held them 9,000 pixels up the page, and the box's sideways
    scroll bar was as far down. Held to the screen's height, the box scrolls both ways, its headings in view."""
    open_report(driver, large_html)
    measure = """
        const box = document.querySelector('table[aria-labelledby="allocation-title"]').closest('.wide');
        box.scrollTop = 2000;
        const heading = box.querySelector('thead th:nth-child(3)').getBoundingClientRect();
        return [box.getBoundingClientRect().height <= innerHeight, box.scrollWidth > box.clientWidth,
                box.scrollTop, Math.round(heading.top - box.getBoundingClientRect().top)];"""
    fits, sideways, scrolled, heading_below_top = at_width(driver, 1100, measure)
    assert fits and sideways and scrolled == 2000 and heading_below_top == 0


def test_runs_and_services_are_told_apart_by_shape_as_well_as_colour(driver, default_html):
    """The allocation table marks each workload's kind with a dot: blue for a run, orange for a service, which
    some readers cannot tell apart; a service's is a diamond, a run's round."""
    open_report(driver, default_html)
    shapes = driver.execute_script("""
        return ['training', 'inference'].map(kind => {
            const style = getComputedStyle(document.querySelector('#workloads th .dot.' + kind));
            return [style.borderTopLeftRadius, style.transform !== 'none'];
        });""")
    assert shapes == [["50%", False], ["1px", True]]


@pytest.mark.parametrize("width", [320, 640])
def test_a_sort_button_the_keyboard_reaches_is_not_hidden_under_the_pinned_names(driver, default_html, width):
    """On a narrow screen (a phone, a page zoomed to 200% or 400%) the first column stays in view while a table
    scrolls; a sort button given the focus was scrolled to the box's edge, under that column, out of sight (or,
    partly in sight, not scrolled at all). Each is now wholly in view beside it; and a sort is said aloud (a live
    region), since few screen readers say a new aria-sort."""
    open_report(driver, default_html)
    hidden, said = at_width(driver, width, """
        const hidden = [];
        // backwards, as Shift+Tab goes: each button comes into view from the left, where the pinned column is
        const buttons = document.querySelectorAll('.wide table thead th:not(:first-child) button.sort');
        for (const button of Array.from(buttons).reverse()) {
            if (!button.getClientRects().length) continue;
            const box = button.closest('.wide'), pinned = box.querySelector('thead th:first-child');
            if (getComputedStyle(pinned).position !== 'sticky') continue;
            button.focus();
            if (button.getBoundingClientRect().left < pinned.getBoundingClientRect().right - 1)
                hidden.push(button.textContent.trim());
        }
        const fleet = document.querySelector('table[aria-labelledby="fleet-prices-title"] thead th:nth-child(3) button');
        fleet.click();
        return [hidden, document.querySelector('main > p.sr[aria-live="polite"]').textContent];""", mobile=True)
    assert hidden == []
    assert said == "Sorted by Installed, ascending"  # the column's name, not its unit


def test_a_short_name_heading_a_row_reads_whole(driver, large_html):
    """A table wider than the page is squeezed to it before it scrolls: a row's name, which may break anywhere
    so that a long one cannot widen the page, was broken mid-name (train000 / 09), on a desktop as on a phone."""
    open_report(driver, large_html)
    broken = """
        return Array.from(document.querySelectorAll('td:first-child, tbody th[scope="row"]'))
            .flatMap(cell => Array.from(cell.childNodes).filter(n => n.nodeType === 3 && /^\\w{1,10}$/.test(n.data)))
            .filter(name => { const range = document.createRange(); range.selectNodeContents(name);
                              return range.getClientRects().length > 1; })
            .map(name => name.data);"""
    assert at_width(driver, 1280, broken) == []
    assert at_width(driver, 390, broken, mobile=True) == []


@pytest.fixture(scope="module")
def long_html(tmp_path_factory) -> Path:
    """60 workloads on 4 GPU types over 60 monthly periods: grids with a column per period."""
    return _synthetic_report(tmp_path_factory, "long", 60, 4, 60, seed=2)


def test_a_grid_of_many_periods_prints_whole_in_blocks_that_fit_the_page(driver, long_html):
    """Printed, a grid of 60 periods would run 2,000 px off an A4 page and lose most of its columns: it
    prints as blocks of periods, each within the page, which together hold every period once."""
    open_report(driver, long_html)
    with print_media(driver):
        printed = at_width(driver, A4_WIDTH, """
            const width = document.documentElement.clientWidth;
            const shown = e => e.getClientRects().length > 0;
            return Array.from(document.querySelectorAll('table.grid')).filter(shown).map(t => ({
                name: t.getAttribute('aria-labelledby'), right: t.getBoundingClientRect().right, page: width,
                periods: Array.from(t.tHead.rows[0].cells).filter(c => c.classList.contains('n'))
                    .map(c => c.textContent.trim())}));""")
    periods = [f"M{t:03d}" for t in range(1, 61)]
    for name in ("fleet-grid-title", "served-grid-title", "allocation-title"):
        blocks = [t for t in printed if t["name"] == name]
        assert [p for t in blocks for p in t["periods"]] == periods, name
        assert [t["right"] for t in blocks if t["right"] > t["page"] + 1] == [], name
    # on screen each grid stays one table, scrolling sideways in its box
    on_screen = driver.execute_script("""
        return Array.from(document.querySelectorAll('table.grid')).filter(t => t.getClientRects().length)
            .map(t => t.tHead.rows[0].cells.length);""")
    assert on_screen == [61, 61, 62]


@pytest.fixture(scope="module")
def many_gpus_html(tmp_path_factory) -> Path:
    """40 workloads on 12 GPU types over 6 months: a column of GPU-hours per GPU type."""
    return _synthetic_report(tmp_path_factory, "gpus", 40, 12, 6, seed=3)


def test_gpu_hours_on_many_gpu_types_print_whole_in_blocks_that_fit_the_page(driver, many_gpus_html):
    """On screen, the training sizing table has a column for each of 12 GPU types; printed, where they would
    run 300 px off an A4 page, blocks of them fit the page and hold each GPU type once, the run's own figures
    (its FLOPs, say) only beside the first."""
    open_report(driver, many_gpus_html)
    tables = """const width = document.documentElement.clientWidth;
        return Array.from(document.querySelectorAll('table[aria-labelledby="training-sizing-title"]'))
            .filter(t => t.getClientRects().length).map(t => ({
                headings: Array.from(t.tHead.rows[0].cells, c => c.textContent),
                over: t.getBoundingClientRect().right - width}));"""
    gpus = [f"gpu{g:02d}GPU-hours" for g in range(1, 13)]  # a GPU type's name and the column's unit
    [on_screen] = driver.execute_script(tables)
    assert [h for h in on_screen["headings"] if h in gpus] == gpus
    with print_media(driver):
        printed = at_width(driver, A4_WIDTH, tables)
    assert [h for block in printed for h in block["headings"] if h in gpus] == gpus
    assert [block["over"] for block in printed if block["over"] > 1] == []
    assert [block["headings"].count("Required FLOPs") for block in printed] == [1] + [0] * (len(printed) - 1)


@pytest.fixture(scope="module")
def national_fleet_html(tmp_path_factory) -> Path:
    """60 workloads on 4 GPU types over 24 months, with fleets of up to 170,760 GPUs (and budgets) ten times the
    synthetic ones: a national site's six-digit GPU counts in the grid of GPUs in use / installed."""
    directory = tmp_path_factory.mktemp("browser-national")
    tables = synthetic_tables(60, 4, 24, seed=2)
    tables["fleet"]["installed"] *= 10
    tables["periods"]["power_mw"] *= 10
    return cli.run(write_scenario(tables, directory / "national.xlsx"), directory / "report")[1]


@pytest.mark.parametrize("report", ["large_html", "long_html", "many_gpus_html", "national_fleet_html"])
def test_every_table_prints_within_the_page_in_legible_type(driver, report, request):
    """Printed on A4, no table runs off the page and loses its right-hand columns: not the workbook's
    sheets of a dozen columns and more, nor GPU-hours on each of 6 or 12 GPU types, for 500 workloads or over
    60 periods, nor twelve periods of a national fleet's GPUs in use / installed (it ran 43 px off the page);
    and what a table prints is 7 pt or more, its units too."""
    open_report(driver, request.getfixturevalue(report))
    with print_media(driver):
        printed = at_width(driver, A4_WIDTH, """
            const width = document.documentElement.clientWidth;
            const tables = Array.from(document.querySelectorAll('table')).filter(t => t.getClientRects().length);
            const named = t => (t.closest('section') || {}).id + ': ' + t.getAttribute('aria-labelledby');
            const texts = tables.flatMap(t => Array.from(t.querySelectorAll('*'))
                .filter(e => Array.from(e.childNodes).some(n => n.nodeType === 3 && n.textContent.trim()))
                .map(e => ({table: named(t), text: e.textContent.trim().slice(0, 40),
                            pt: parseFloat(getComputedStyle(e).fontSize) * 0.75})));
            return {tables: tables.length, texts: texts,
                    wide: tables.map(t => [named(t), Math.round(t.getBoundingClientRect().right)])
                        .filter(([name, right]) => right > width + 1)
                        .map(([name, right]) => `${name}: ${right} px of ${width}`)};""")
    assert printed["tables"] >= 15
    assert printed["wide"] == []
    smallest = min(printed["texts"], key=lambda text: text["pt"])
    assert smallest["pt"] >= 7.0 - 1e-3, smallest  # 7 pt is 9.333 px: a hair under, rounded


@pytest.mark.parametrize("report, title", [("long_html", "allocation-title"),
                                           ("many_gpus_html", "training-sizing-title")])
def test_a_table_sorted_on_screen_prints_in_the_order_shown(driver, report, title, request):
    """A table that prints as blocks of its columns prints its rows in the order the reader sorted them to, in
    every block: not the blocks in the order written beside a table sorted otherwise."""
    open_report(driver, request.getfixturevalue(report))
    tables = f"""return Array.from(document.querySelectorAll('table[aria-labelledby="{title}"]'))
        .filter(t => t.getClientRects().length).map(t => Array.from(t.tBodies[0].rows,
            r => Array.from(r.cells).slice(0, {2 if title == "allocation-title" else 1}).map(c => c.textContent.trim())
                .join(' / ')));"""
    [written] = driver.execute_script(tables)
    button = driver.find_element(By.CSS_SELECTOR, f'table.screen-only[aria-labelledby="{title}"] thead th button.sort')
    button.click()
    button.click()  # by name, descending
    [shown] = driver.execute_script(tables)
    assert sorted(shown) == sorted(written) and shown != written
    with print_media(driver):
        printed = driver.execute_script(tables)
    assert len(printed) > 1 and all(block == shown for block in printed)
