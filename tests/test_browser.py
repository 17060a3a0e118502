"""The page of `clsearch serve` in a real browser: Debian's headless chromium, driven by Playwright.

The server runs in a thread on a loopback socket over the full bundled corpus plus one added
list whose names carry markup, built through `index build --add`'s own code path. Screenshots
of the main view, a record and the phone layout are saved as test artefacts
(test-artefacts/ in the checkout, or $CLSEARCH_TEST_ARTEFACTS).

Outside CI, the tests skip when Playwright or chromium is missing; `.ci/run` sets
CLSEARCH_REQUIRE_BROWSER=1 and installs chromium, so there they must run.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest

CHROMIUM = os.environ.get("CLSEARCH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
REQUIRED = os.environ.get("CLSEARCH_REQUIRE_BROWSER") == "1"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCRIPT_NAME = "<script>document.title='pwned'</script>苏州脚本测试产业集群"
MARKUP_BUILDER = "<b>加粗</b>管委会"
ARTEFACTS = Path(os.environ.get("CLSEARCH_TEST_ARTEFACTS") or Path(__file__).resolve().parent.parent / "test-artefacts")


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        return f"{exc.name} is not installed (pip install '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"no chromium at {CHROMIUM} (apt-get install chromium fonts-wqy-microhei)"
    return None


if _missing():
    if REQUIRED:
        raise RuntimeError(f"browser tests required (CLSEARCH_REQUIRE_BROWSER=1) but {_missing()}")
    pytest.skip(_missing(), allow_module_level=True)

from playwright.sync_api import expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def served_index(tmp_path_factory, full_index) -> Path:
    """The bundled seeds plus an added list whose names carry markup (`index build --add`'s
    path; built over a copy of the session's index, so jieba's cache is reused)."""
    from index.ensure import build_from_seeds

    root = tmp_path_factory.mktemp("served")
    shutil.copytree(full_index, root / "index")
    added = root / "added_list.jsonl"
    added.write_text(json.dumps({"name": SCRIPT_NAME, "builder": MARKUP_BUILDER, "province": "江苏",
                                 "city": "苏州市", "program": "测试名单", "year": 2024}, ensure_ascii=False)
                     + "\n", encoding="utf-8")
    build_from_seeds(root / "index", extra=[added])
    return root / "index"


@pytest.fixture(scope="module")
def base_url(served_index):
    """A real uvicorn server in a thread, on a free loopback port, with the HTTP protocol
    `clsearch serve` uses."""
    import uvicorn

    from search.server import ServeConfig, create_app, http_protocol

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(ServeConfig(index_dir=str(served_index))),
                                           log_level="warning", access_log=False, http=http_protocol()))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture(scope="module")
def browser():
    profile = tempfile.mkdtemp(prefix="clsearch-chromium-")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                                                       viewport={"width": 1200, "height": 820}, locale="zh-CN")
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert errors == [], errors


def shot(page, name: str) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{name}.png"))


def hit_names(page) -> list[str]:
    return page.locator("#hits .hit .name").all_inner_texts()


def marked(page, n: int) -> list[tuple[str, str]]:
    """(text, class) of each highlighted run in the n-th hit's name."""
    return page.locator("#hits .hit").nth(n).locator(".name mark").evaluate_all(
        "ms => ms.map(m => [m.textContent, m.className])")


def query_of(url: str) -> dict:
    return {k: v for k, v in parse_qs(urlparse(url).query).items()}


def test_typing_cz_letter_by_letter_shows_changzhou_with_highlights(page, base_url):
    page.goto(base_url + "/")
    held = []
    failed = []
    page.on("requestfailed", lambda r: failed.append(r.url))

    def hold_c(route):  # the answer to "c" is held back until "cz" has been answered
        held.append(route)

    page.route(re.compile(r"/api/search\?q=c&"), hold_c)
    box = page.locator("#q")
    box.press("c")
    deadline = time.monotonic() + 5
    while not held:  # the debounced request for "c" went out
        assert time.monotonic() < deadline, "no request for 'c'"
        page.wait_for_timeout(20)
    box.press("z")
    expect(page.locator("#status")).to_contain_text("找到")
    names = hit_names(page)
    assert names[0] == "常州光伏创新型产业集群"
    assert {"常州轨道交通牵引动力与关键核心部件产业集群", "江苏省常州市新北区新能源汽车电气设备产业集群"} <= set(names)
    # In every 常州 cluster, exactly the characters 常州 are marked, as matched by initials.
    for n, name in enumerate(names):
        if "常州" in name:
            marks = page.locator("#hits .hit").nth(n).locator("mark").evaluate_all(
                "ms => ms.map(m => [m.textContent, m.className])")
            assert marks == [["常州", "ch-initials"]], (name, marks)
    assert marked(page, 0) == [["常州", "ch-initials"]]
    # The older request for "c" was cancelled by the keystroke: it never reaches the page.
    for route in held:
        try:
            route.continue_()
        except Exception:
            pass
    page.wait_for_timeout(300)
    assert any("q=c&" in u for u in failed)
    assert hit_names(page) == names
    assert query_of(page.url)["q"] == ["cz"]
    expect(page.locator("#complete li").first).to_have_text("常州4")  # suggestions: 常州, in 4 clusters (武进 too)
    box.press("Escape")  # closes the suggestions, keeps the query
    expect(page.locator("#complete")).to_be_hidden()
    expect(box).to_have_value("cz")
    shot(page, "main-view-cz")

    # Typing on: czgf finds the photovoltaic cluster first, all four characters matched by initials.
    page.unroute(re.compile(r"/api/search\?q=c&"))
    box.press("g")
    box.press("f")
    expect(page.locator("#hits .hit .name").first).to_have_text("常州光伏创新型产业集群")
    expect(page.locator("#status")).to_contain_text("找到 1 个")
    assert marked(page, 0) == [["常州光伏", "ch-initials"]]
    assert query_of(page.url)["q"] == ["czgf"]


def test_clicking_a_province_facet_narrows_the_list(page, base_url):
    page.goto(base_url + "/?q=机器人")
    expect(page.locator("#status")).to_contain_text("找到")
    total = int(re.search(r"找到 (\d+)", page.locator("#status").inner_text()).group(1))
    jiangsu = page.locator('#facets button[data-facet="province"][data-value="江苏"]')
    expected = int(jiangsu.locator(".count").inner_text())
    assert 0 < expected < total
    jiangsu.click()
    expect(page.locator("#status")).to_contain_text(f"找到 {expected} 个")
    metas = page.locator("#hits .hit .meta").all_inner_texts()
    assert len(metas) == min(expected, 20) and all(m.startswith("江苏") for m in metas)
    assert query_of(page.url) == {"q": ["机器人"], "province": ["江苏"]}
    expect(page.locator("#filters .chip")).to_have_text("省份：江苏 ×")
    # The URL is shareable: opening it shows the same narrowed list.
    page.goto(page.url)
    expect(page.locator("#status")).to_contain_text(f"找到 {expected} 个")
    # Removing the filter widens the list again.
    page.locator("#filters .chip").click()
    expect(page.locator("#status")).to_contain_text(f"找到 {total} 个")


def test_opening_a_record_shows_its_detail_and_back_returns(page, base_url):
    page.goto(base_url + "/?q=czgf")
    first = page.locator("#hits .hit .name").first
    expect(first).to_have_text("常州光伏创新型产业集群")
    first.click()
    expect(page.locator("#detail")).to_be_visible()
    expect(page.locator("#listview")).to_be_hidden()
    expect(page.locator(".record-name")).to_have_text("常州光伏创新型产业集群")
    fields = dict(zip(page.locator(".fields dt").all_inner_texts(), page.locator(".fields dd").all_inner_texts()))
    assert fields["省份"] == "江苏" and fields["城市"] == "常州市" and fields["建设单位"] == "常州高新区管委会"
    assert fields["类型"] == "试点" and fields["年份"] == "2021"
    record_id = query_of(page.url)["id"][0]
    assert fields["编号"] == record_id
    # Every source, as written: the 2021 appendix, the older national edition and the OCR scan.
    rows = page.locator(".sources tbody tr")
    expect(rows).to_have_count(3)
    assert {r.split("\t")[0] for r in rows.all_inner_texts()} == {
        "most_national_2021_appendix3.txt", "compilation_national_zhejiang_hubei.txt",
        "most_national_2021_notice_ocr.txt"}
    shot(page, "record-view")
    page.locator("#back").click()
    expect(page.locator("#listview")).to_be_visible()
    assert "id" not in query_of(page.url)
    page.go_back()  # the browser's own back button returns to the record
    expect(page.locator(".record-name")).to_have_text("常州光伏创新型产业集群")


def test_names_with_markup_show_as_text(page, base_url):
    page.goto(base_url + "/?q=苏州脚本测试")
    name = page.locator("#hits .hit .name").first
    expect(name).to_have_text(SCRIPT_NAME)
    assert page.locator("#hits script, #hits b, #record script").count() == 0
    expect(page.locator("#hits .hit .extra").first).to_contain_text(MARKUP_BUILDER)
    name.click()
    expect(page.locator(".record-name")).to_have_text(SCRIPT_NAME)
    assert page.locator("#record script, #record b").count() == 0
    assert page.title() != "pwned"


def test_phone_width_layout(browser, base_url):
    page = browser.new_page()
    page.set_viewport_size({"width": 375, "height": 740})
    try:
        page.goto(base_url + "/?q=cz")
        expect(page.locator("#status")).to_contain_text("找到")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
        assert page.locator("#facetbox").evaluate("d => d.open") is False  # filters folded
        box = page.locator("#q").bounding_box()
        hit = page.locator("#hits .hit").first.bounding_box()
        assert box["width"] > 300 and hit["width"] > 300 and hit["x"] + hit["width"] <= 375
        facets = page.locator("#facetbox").bounding_box()
        assert facets["y"] < hit["y"]  # one column: filters above the results
        shot(page, "phone-view")
        page.locator("#facetbox summary").click()
        page.locator('#facets button[data-facet="province"][data-value="江苏"]').click()
        expect(page.locator("#filters .chip")).to_have_text("省份：江苏 ×")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        page.close()


def test_related_records_link_both_ways(page, base_url):
    page.goto(base_url + "/?q=扬州数控成形机床")
    page.locator("#hits .hit .name", has_text="扬州数控成形机床创新型产业集群").click()
    link = page.locator(".related-link")
    expect(link).to_have_text(["江苏省扬州市邗江区数控成形机床产业集群"])
    link.click()
    expect(page.locator(".record-name")).to_have_text("江苏省扬州市邗江区数控成形机床产业集群")
    expect(page.locator(".related-link")).to_have_text(["扬州数控成形机床创新型产业集群"])


def test_a_partial_result_and_the_understood_query_are_said(page, base_url):
    page.goto(base_url + "/?q=" + quote("3、锂电（培育） qwzxv"))
    status = page.locator("#status")
    expect(status).to_contain_text("找到 1 个")
    expect(status).to_contain_text("没有同时匹配全部词语的产业集群（未匹配：qwzxv），以下为部分匹配。")
    expect(status).to_contain_text("理解为：锂电 qwzxv（(培育)→培育）")
    assert hit_names(page) == ["西宁经开区锂电产业集群"]
