"""The HTTP API of `clsearch serve`, driven in-process (no socket) over the small test index.

Every endpoint, every error status, the limits and the page's own files. The browser tests
(tests/test_browser.py) drive the same app through a real socket and Chromium.
"""

from __future__ import annotations

import json
import os
import re
import time
from importlib import resources

import pytest

pytest.importorskip("fastapi", reason="the serve extra is not installed (pip install '.[test]')")

from fastapi.testclient import TestClient  # noqa: E402

from search.server import ServeConfig, create_app, is_loopback  # noqa: E402


@pytest.fixture(scope="module")
def client(small):
    return TestClient(create_app(ServeConfig(), searcher=small))


def get(client, url, status=200, **params):
    r = client.get(url, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    return r.json()


def assert_error(r, status: int, code: str, *words: str):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status and body["error"]["code"] == code
    for w in words:
        assert w in body["error"]["message"]
    assert "Traceback" not in r.text


# -- search -----------------------------------------------------------------------------------

def test_search_initials_finds_changzhou_pv_first_with_highlights(client):
    data = get(client, "/api/search", q="czgf")
    assert data["query"] == "czgf"
    assert data["total"] == 1
    hit = data["hits"][0]
    assert hit["name"] == "常州光伏创新型产业集群"
    assert hit["province"] == "江苏" and hit["city"] == "常州市"
    name = next(h for h in hit["highlights"] if h["field"] == "name")
    assert name["text"] == "常州光伏创新型产业集群"
    assert name["spans"] == [[0, 1, "initials"], [1, 2, "initials"], [2, 3, "initials"], [3, 4, "initials"]]
    assert name["marked"] == "<mark>常州光伏</mark>创新型产业集群"
    assert "explain" not in hit


def test_search_returns_utf8_as_is(client):
    r = client.get("/api/search", params={"q": "常州"})
    assert r.headers["content-type"] == "application/json; charset=utf-8"
    assert "常州光伏创新型产业集群".encode() in r.content
    assert b"\\u" not in r.content


def test_search_cz_lists_both_changzhou_clusters_first(client):
    data = get(client, "/api/search", q="cz")
    names = [h["name"] for h in data["hits"]]
    assert set(names[:2]) == {"常州光伏创新型产业集群", "常州轨道交通牵引动力与关键核心部件产业集群"}


def test_search_caller_tags_mark_runs_and_escape_html(client):
    data = get(client, "/api/search", q="常州光伏", pre="<mark>", post="</mark>")
    name = next(h for h in data["hits"][0]["highlights"] if h["field"] == "name")
    assert name["marked"] == "<mark>常州光伏</mark>创新型产业集群"
    data = get(client, "/api/search", q="常州光伏", pre="[", post="]")
    name = next(h for h in data["hits"][0]["highlights"] if h["field"] == "name")
    assert name["marked"] == "[常州光伏]创新型产业集群"


def test_search_explain_on_request(client):
    data = get(client, "/api/search", q="czgf", explain="true")
    assert data["hits"][0]["explain"]["placed_by"]
    assert data["hits"][0]["explain"]["matches"][0]["text"] == "常州光伏"


def test_search_province_filter_narrows(client):
    everywhere = get(client, "/api/search", q="产业集群 高新区")
    jiangsu = get(client, "/api/search", q="高新区", province="江苏")
    assert jiangsu["total"] >= 1
    assert all(h["province"] == "江苏" for h in jiangsu["hits"])
    assert {h["name"] for h in jiangsu["hits"]} == {"常州光伏创新型产业集群", "武进机器人及智能装备创新型产业集群",
                                                    "苏州高新区医疗器械创新型产业集群"}
    assert everywhere["total"] > jiangsu["total"]


def test_search_facets_count_every_hit_not_the_page(client):
    full = get(client, "/api/search", q="高新区", limit=100)
    page = get(client, "/api/search", q="高新区", limit=2)
    assert page["total"] == full["total"] == len(full["hits"]) == 12
    assert page["facets"] == full["facets"]
    assert set(page["facets"]) == {"province", "city", "program", "list", "type", "year"}
    provinces = page["facets"]["province"]
    assert sum(provinces.values()) == full["total"]
    assert provinces["江苏"] == sum(1 for h in full["hits"] if h["province"] == "江苏") == 3
    assert page["facets"]["year"] == {"2021": 12}
    assert "facets" not in get(client, "/api/search", q="高新区", facets="false")


def test_search_filters_take_several_values_and_every_field(client):
    two = get(client, "/api/search", q="高新区", province=["江苏", "天津"], limit=100)
    assert two["total"] == 5 and {h["province"] for h in two["hits"]} == {"江苏", "天津"}
    assert two["filters"] == {"province": ["江苏", "天津"]}
    city = get(client, "/api/search", q="高新区", city="常州")
    assert [h["name"] for h in city["hits"]] == ["常州光伏创新型产业集群", "武进机器人及智能装备创新型产业集群"]
    assert city["filters"] == {"city": ["常州市"]}
    pilot = get(client, "/api/search", q="高新区", type="pilot", year="2021", list="test", limit=100)
    assert pilot["filters"] == {"type": ["试点"], "year": ["2021"], "list": ["test"]}
    assert pilot["total"] == 6 and all(h["type"] == "试点" for h in pilot["hits"])


def test_browsing_with_filters_and_no_query(client):
    data = get(client, "/api/search", q="", city="常州市", limit=100)
    assert data["total"] == 3
    assert {h["name"] for h in data["hits"]} == {"常州光伏创新型产业集群", "常州轨道交通牵引动力与关键核心部件产业集群",
                                                 "武进机器人及智能装备创新型产业集群"}
    assert data["facets"]["city"] == {"常州市": 3}


def test_unknown_filter_value_is_400_naming_the_nearest(client):
    r = client.get("/api/search", params={"q": "高新区", "province": "Jiangsu2"})
    assert_error(r, 400, "bad_filter", "Jiangsu2")
    error = r.json()["error"]
    assert error["field"] == "province" and error["value"] == "Jiangsu2"
    assert error["nearest"][0] == "江苏"


def test_search_pages_neither_repeat_nor_lose_hits(client):
    whole = [h["id"] for h in get(client, "/api/search", q="高新区", limit=100)["hits"]]
    paged = []
    for offset in range(0, len(whole), 3):
        page = get(client, "/api/search", q="高新区", offset=offset, limit=3)
        assert page["offset"] == offset and page["limit"] == 3 and page["total"] == len(whole)
        paged += [h["id"] for h in page["hits"]]
    assert paged == whole
    assert get(client, "/api/search", q="高新区", offset=len(whole))["hits"] == []


def test_search_post_body_gives_the_same_answer(client):
    by_get = get(client, "/api/search", q="高新区", province="江苏", limit=2, offset=1)
    r = client.post("/api/search", json={"q": "高新区", "province": ["江苏"], "limit": 2, "offset": 1})
    assert r.status_code == 200
    assert r.json() == by_get


def test_search_did_you_mean_and_honest_nothing(client):
    data = get(client, "/api/search", q="lidn")
    assert data["total"] == 0 and data["hits"] == [] and data["suggestion"] == "锂电"
    nothing = get(client, "/api/search", q="qwzxv")
    assert nothing["total"] == 0 and nothing["hits"] == [] and nothing["suggestion"] is None


# -- complete, records, stats, health, schema ---------------------------------------------------

def test_complete_suggests_changzhou_for_cz(client):
    data = get(client, "/api/complete", q="cz")
    assert data["suggestions"][:3] == [
        {"text": "常州", "kind": "place", "count": 3, "id": None},
        {"text": "常州光伏创新型产业集群", "kind": "name", "count": 1, "id": "t-03"},
        {"text": "常州轨道交通牵引动力与关键核心部件产业集群", "kind": "name", "count": 1, "id": "t-04"}]
    assert get(client, "/api/complete", q="cz", limit=1)["suggestions"] == data["suggestions"][:1]
    assert get(client, "/api/complete", q="")["suggestions"] == []


def test_record_by_id(client):
    record = get(client, "/api/records/t-03")
    assert record["id"] == "t-03" and record["name"] == "常州光伏创新型产业集群"
    assert record["program"] == "创新型产业集群" and record["year"] == 2021
    assert record["builders"] == ["常州高新区管委会"]
    assert record["lists"] == ["test"] and record["list_titles"] == ["test list"]
    assert record["sources"] == [] and record["related"] == []


def test_stats_counts_the_served_index(client):
    data = get(client, "/api/stats")
    assert data["records"] == 18
    assert data["by_province"]["江苏"] == 5
    assert data["by_type"] == {"培育": 9, "试点": 6, "(none)": 3}


def test_health_reports_generation_and_fingerprint(client, small, small_index):
    data = get(client, "/api/health")
    assert data["status"] == "ok"
    assert data["generation"] == small.generation.name
    assert data["generation"].startswith("gen-")
    assert data["fingerprint"] == "test-fingerprint"
    assert data["records"] == 18
    assert data["worker"] == os.getpid()  # in-process here; each worker's own with --workers N


def test_openapi_schema_lists_every_endpoint(client):
    schema = get(client, "/openapi.json")
    assert set(schema["paths"]) == {"/api/search", "/api/complete", "/api/records/{record_id}", "/api/stats",
                                    "/api/health"}
    params = {p["name"] for p in schema["paths"]["/api/search"]["get"]["parameters"]}
    assert {"q", "province", "city", "district", "program", "list", "type", "year", "offset", "limit",
            "facets", "explain", "pre", "post"} <= params


# -- errors -----------------------------------------------------------------------------------

@pytest.mark.parametrize("params, words", [
    ({"q": ""}, ["empty"]),
    ({"q": "锂电\x07"}, ["control"]),
    ({"q": "锂电", "limit": "0"}, ["limit"]),
    ({"q": "锂电", "limit": "101"}, ["limit", "100"]),
    ({"q": "锂电", "limit": "ten"}, ["limit"]),
    ({"q": "锂电", "offset": "-1"}, ["offset"]),
    ({"q": "锂电", "explain": "maybe"}, ["explain"]),
])
def test_bad_query_or_parameter_is_400(client, params, words):
    assert_error(client.get("/api/search", params=params), 400, params.get("limit") and "bad_parameter"
                 or params.get("offset") and "bad_parameter" or params.get("explain") and "bad_parameter"
                 or "bad_query", *words)


def test_unknown_id_and_route_are_404(client):
    r = client.get("/api/records/no-such-id")
    assert_error(r, 404, "not_found", "no-such-id")
    assert r.json()["error"]["id"] == "no-such-id"
    assert_error(client.get("/api/nothing"), 404, "not_found")


def test_wrong_method_is_405(client):
    assert_error(client.delete("/api/search"), 405, "method_not_allowed")


def test_oversized_query_is_414_in_the_url_and_413_in_a_body(client):
    assert_error(client.get("/api/search", params={"q": "锂" * 201}), 414, "query_too_long", "201", "200")
    assert_error(client.post("/api/search", json={"q": "锂" * 201}), 413, "query_too_long")
    assert_error(client.get("/api/complete", params={"q": "c" * 201}), 414, "query_too_long")
    assert client.get("/api/search", params={"q": "锂" * 200}).status_code == 200


def test_oversized_url_and_body_are_refused_before_parsing(client):
    assert_error(client.get("/api/search", params={"q": "锂电", "city": "x" * 9000}), 414, "uri_too_long")
    r = client.post("/api/search", content=b'{"q": "' + b"x" * 20_000 + b'"}',
                    headers={"content-type": "application/json"})
    assert_error(r, 413, "body_too_large", "16384")

    def chunks():  # no Content-Length: counted as it streams
        for _ in range(40):
            yield b"x" * 1024

    assert_error(client.post("/api/search", content=chunks(), headers={"content-type": "application/json"}),
                 413, "body_too_large")


def test_malformed_body_is_400(client):
    r = client.post("/api/search", content=b"{not json", headers={"content-type": "application/json"})
    assert_error(r, 400, "bad_parameter")


class _Wrapped:
    def __init__(self, inner, results):
        self._inner, self.results = inner, results

    def __getattr__(self, name):
        return getattr(self._inner, name)


def test_internal_error_is_500_without_a_traceback(small, capsys):
    def broken(*a, **k):
        raise RuntimeError("secret internal detail")

    c = TestClient(create_app(ServeConfig(), searcher=_Wrapped(small, broken)), raise_server_exceptions=False)
    r = c.get("/api/search", params={"q": "锂电"})
    assert_error(r, 500, "internal_error")
    assert "secret" not in r.text


def test_slow_request_times_out_with_503(small):
    def slow(*a, **k):
        time.sleep(1.5)
        return small.results(*a, **k)

    c = TestClient(create_app(ServeConfig(timeout=0.2), searcher=_Wrapped(small, slow)))
    started = time.perf_counter()
    r = c.get("/api/search", params={"q": "锂电"})
    assert time.perf_counter() - started < 1.2
    assert_error(r, 503, "timeout", "0.2")
    assert r.headers["retry-after"] == "1"


# -- CORS, page ---------------------------------------------------------------------------------

def test_cors_is_off_by_default(client):
    r = client.get("/api/health", headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in r.headers
    r = client.options("/api/search", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert "access-control-allow-origin" not in r.headers


def test_cors_allows_only_configured_origins(small):
    c = TestClient(create_app(ServeConfig(cors_origins=("https://example.org",)), searcher=small))
    r = c.get("/api/health", headers={"Origin": "https://example.org"})
    assert r.headers["access-control-allow-origin"] == "https://example.org"
    r = c.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in r.headers


def test_page_and_its_assets_are_served_from_the_package(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert '<html lang="zh-CN">' in r.text
    for asset, kind in (("app.js", "javascript"), ("style.css", "text/css")):
        a = client.get(f"/static/{asset}")
        assert a.status_code == 200 and kind in a.headers["content-type"]
    assert client.get("/static/nothing.js").status_code == 404


def test_page_fetches_nothing_from_the_internet():
    static = resources.files("search") / "static"
    for name in ("index.html", "app.js", "style.css"):
        text = (static / name).read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), name
        assert not re.search(r"url\(\s*[\"']?(https?:)?//", text), name
        assert not re.search(r"fetch\(\s*[\"'`]https?:", text), name


def test_page_never_inserts_record_text_as_html():
    js = (resources.files("search") / "static" / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "outerHTML" not in js and "insertAdjacentHTML" not in js
    assert "document.write" not in js


def test_loopback_detection():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5") and not is_loopback("example.org")


def test_config_travels_to_workers_as_json(monkeypatch):
    config = ServeConfig(index_dir="/tmp/x", timeout=2.5, cors_origins=("https://a.example",))
    monkeypatch.setenv("CLSEARCH_SERVE_CONFIG", config.to_env())
    assert ServeConfig.from_env() == config
    assert json.loads(config.to_env())["timeout"] == 2.5


def test_several_workers_take_turns_accepting_connections(monkeypatch):
    import uvicorn

    from search import server

    runs = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: runs.append((k["workers"], os.environ.get("UV_TCP_SINGLE_ACCEPT"))))
    for name in ("UV_TCP_SINGLE_ACCEPT", "CLSEARCH_SERVE_CONFIG"):  # restored after the test
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    server.serve(ServeConfig(), workers=1)
    server.serve(ServeConfig(), workers=2)
    assert runs == [(1, None), (2, "1")]


def test_answer_cache_is_bounded_lru_per_generation():
    from search.server import AnswerCache

    cache = AnswerCache(max_bytes=800)
    assert cache.get("gen-a", "k1") is None
    cache.put("gen-a", "k1", b"x" * 90)
    cache.put("gen-a", "k2", b"y" * 90)
    assert cache.get("gen-a", "k1") == b"x" * 90  # k1 is now the most recent
    for n in range(3, 12):
        cache.put("gen-a", f"k{n}", b"z" * 90)
    assert cache.size <= 800
    assert cache.get("gen-a", "k2") is None and cache.get("gen-a", "k11") == b"z" * 90
    cache.put("gen-a", "huge", b"h" * 200)  # over an eighth of the bound: never kept
    assert cache.get("gen-a", "huge") is None
    assert cache.get("gen-b", "k11") is None  # another generation: nothing from the old one
    assert cache.get("gen-a", "k11") is None and cache.size == 0


def test_cached_answers_equal_fresh_ones(small):
    cached = TestClient(create_app(ServeConfig(), searcher=small))
    fresh = TestClient(create_app(ServeConfig(cache_mb=0), searcher=small))
    for params in ({"q": "cz"}, {"q": "高新区", "province": "江苏", "limit": 2}, {"q": "lidn"}):
        first = cached.get("/api/search", params=params)
        again = cached.get("/api/search", params=params)
        assert first.content == again.content == fresh.get("/api/search", params=params).content
    assert cached.get("/api/complete", params={"q": "cz"}).json() == fresh.get("/api/complete", params={"q": "cz"}).json()


def test_one_shot_cli_never_imports_the_web_stack(small_index):
    import subprocess
    import sys

    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "cli", "常州", "--index", str(small_index)],
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 0 and "光伏创新型产业集群" in r.stdout
    imported = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in r.stderr.splitlines() if "|" in line}
    assert "whoosh" in imported
    assert not imported & {"fastapi", "starlette", "uvicorn", "pydantic", "anyio", "search.server", "jieba",
                           "pypinyin"}


def _serve(*args: str):
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-m", "cli", "serve", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, encoding="utf-8")


def test_serve_command_listens_on_loopback_by_default(small_index):
    import signal
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = _serve("--index", str(small_index), "--port", str(port))
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
                    health = json.load(r)
                break
            except OSError:
                assert time.monotonic() < deadline, "no answer within 60 s"
                time.sleep(0.2)
        assert health["status"] == "ok" and health["fingerprint"] == "test-fingerprint"
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    lines = err.splitlines()
    assert lines[0] == f"clsearch: serving {small_index} at http://127.0.0.1:{port}/ (1 worker); Ctrl-C to stop"
    assert "warning" not in err and "Traceback" not in err


def test_serve_command_warns_for_another_host_and_fails_cleanly(small_index):
    # 192.0.2.1 (TEST-NET-1) is not this machine's: the warning, then one error line, exit 2.
    proc = _serve("--index", str(small_index), "--host", "192.0.2.1", "--port", "8000")
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.splitlines() == [
        "clsearch: warning: serving on 192.0.2.1: reachable from other machines, with no authentication",
        "clsearch: error: cannot listen on 192.0.2.1:8000: Cannot assign requested address"]


def test_serve_command_reports_a_taken_port(small_index):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        proc = _serve("--index", str(small_index), "--port", str(port))
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert err.splitlines() == [f"clsearch: error: cannot listen on 127.0.0.1:{port}: Address already in use"]


def test_search_says_what_was_understood_and_what_was_dropped(client):
    data = get(client, "/api/search", q="3、锂电（培育） qwzxv")
    assert [h["name"] for h in data["hits"]] == ["西宁经开区锂电产业集群"]
    assert (data["partial"], data["dropped"], data["terms"]) == (True, ["qwzxv"], ["锂电", "qwzxv", "type=培育"])
    assert data["hits"][0]["matched"] == ["锂电"]
    assert data["understood"]["text"] == "锂电 qwzxv" and data["understood"]["filters"] == {"type": ["培育"]}


def test_fast_path_answers_as_the_route_does(client):
    # GET /api/search and /api/complete are answered before FastAPI's routing when their
    # parameters read plainly; spellings only pydantic reads (True, +20) go to the routes.
    for q in ("czgf", "常州", "lidain", "jqr", "常zh", "qwzxv", ""):
        fast = client.get("/api/search", params={"q": q, "limit": "20", "facets": "true", "province": "江苏"})
        routed = client.get("/api/search", params={"q": q, "limit": "+20", "facets": "True", "province": "江苏"})
        assert fast.status_code == routed.status_code == 200
        assert fast.json() == routed.json()
        assert fast.headers["content-type"] == routed.headers["content-type"] == "application/json; charset=utf-8"
        assert fast.headers["x-content-type-options"] == routed.headers["x-content-type-options"] == "nosniff"
        fast = client.get("/api/complete", params={"q": q, "limit": "6"})
        routed = client.get("/api/complete", params={"q": q, "limit": "+6"})
        assert fast.status_code == routed.status_code == 200 and fast.json() == routed.json()
    # The same refusals on both paths.
    assert_error(client.get("/api/search", params={"q": "cz", "limit": "101"}), 400, "bad_parameter", "limit")
    assert_error(client.get("/api/search", params={"q": "cz", "limit": "0"}), 400, "bad_parameter", "limit")
    assert_error(client.get("/api/search", params={"q": "cz", "facets": "maybe"}), 400, "bad_parameter", "facets")
    assert_error(client.get("/api/complete", params={"q": "x" * 300}), 414, "query_too_long")
    assert_error(client.get("/api/search", params={"q": "cz", "province": "火星"}), 400, "bad_filter")


def test_answers_are_encoded_as_the_json_module_would(small):
    from search.serve_data import search_json
    from search.server import _encode

    for q in ("czgf", "常州", "<script>"):
        data = search_json(small, q, {}, 0, 20, True, True, "<b>", "</b>")
        assert _encode(data) == json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    assert _encode({1: "锂"}) == '{"1":"锂"}'.encode()  # orjson refuses an int key: json encodes it


def test_completions_run_on_the_event_loop_and_searches_in_the_pool(small):
    import threading

    seen = {}

    def results(*a, **k):
        seen["search"] = threading.current_thread().name
        return small.results(*a, **k)

    class Spy(_Wrapped):
        def complete(self, *a, **k):
            seen["complete"] = threading.current_thread().name
            return small.complete(*a, **k)

    c = TestClient(create_app(ServeConfig(cache_mb=0), searcher=Spy(small, results)))
    assert get(c, "/api/complete", q="cz", limit="6")["suggestions"]
    assert get(c, "/api/search", q="cz", limit="20")["hits"]
    assert seen["search"].startswith("clsearch-search")  # under the deadline
    assert not seen["complete"].startswith("clsearch-search")  # bounded: no thread handoff


def test_a_search_known_to_be_short_runs_on_the_event_loop_and_others_in_the_pool(small):
    import threading

    seen: list[tuple[str, str]] = []
    pause = {"s": 0.0}

    def results(q, *a, **k):
        seen.append((q, threading.current_thread().name))
        busy_until = time.thread_time() + pause["s"]  # CPU: what `Durations` times
        while time.thread_time() < busy_until:
            pass
        return small.results(q, *a, **k)

    c = TestClient(create_app(ServeConfig(cache_mb=0), searcher=_Wrapped(small, results)))
    first = get(c, "/api/search", q="cz", limit="20")
    assert get(c, "/api/search", q="cz", limit="20") == first  # the same answer, made again
    assert get(c, "/api/search", q="cz", limit="19")["hits"] == first["hits"][:19]  # another query string
    pause["s"] = 0.05  # more CPU than SHORT_SECONDS: answered in the pool from then on
    get(c, "/api/search", q="锂电")
    get(c, "/api/search", q="锂电")
    threads = [name.startswith("clsearch-search") for _, name in seen]
    assert [q for q, _ in seen] == ["cz", "cz", "cz", "锂电", "锂电"]
    assert threads == [True, False, True, True, True]


def test_durations_are_per_generation_and_bounded():
    from search.server import Durations

    d = Durations(0.02, size=3)
    assert not d.short("g1", b"q=a")  # nothing known
    d.note("g1", b"q=a", 0.001)
    d.note("g1", b"q=b", 0.5)
    assert d.short("g1", b"q=a") and not d.short("g1", b"q=b") and not d.short("g1", b"q=c")
    d.note("g0", b"q=c", 0.001)  # an answer from the generation before: not kept
    assert not d.short("g1", b"q=c")
    assert not d.short("g2", b"q=a")  # a new generation starts with nothing known
    d.note("g2", b"q=a", 0.001)
    assert d.short("g2", b"q=a")
    for key in (b"1", b"2", b"3"):  # full: forgotten, then filled again
        d.note("g2", key, 0.001)
    assert not d.short("g2", b"q=a") and d.short("g2", b"3")


def test_search_threads_answer_raise_and_skip_calls_nobody_waits_for():
    import asyncio
    import threading

    from search.server import SearchThreads

    threads = SearchThreads(1, "t-search")
    ran = []
    gate, started = threading.Event(), threading.Event()

    def slow():
        started.set()
        gate.wait(5)
        ran.append("slow")
        return "late"

    def boom():
        raise ValueError("bad")

    async def main():
        loop = asyncio.get_running_loop()
        assert await threads.submit(loop, lambda: threading.current_thread().name) == "t-search_0"
        with pytest.raises(ValueError, match="bad"):
            await threads.submit(loop, boom)
        first = threads.submit(loop, slow)
        queued = threads.submit(loop, lambda: ran.append("queued"))
        while not started.is_set():
            await asyncio.sleep(0.001)
        first.cancel()  # as the deadline does: the answer is dropped, the call runs on
        queued.cancel()
        gate.set()
        assert await threads.submit(loop, lambda: "next") == "next"
        assert first.cancelled()

    asyncio.run(main())
    threads.shutdown()
    assert ran == ["slow"]  # the queued call was past its deadline: never run
