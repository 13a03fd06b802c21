"""Tests for the bigram search index (builder/search.py) and its client (assets/search.js)."""

from __future__ import annotations

import itertools
import json
import random
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.publish import search
from builder.publish.search import (
    ASSETS_DIR,
    MIN_CHARS_MESSAGE,
    SearchDoc,
    build_search_index,
    decode_posting,
    doc_range,
    encode_best,
    encode_bitmap,
    encode_posting,
    fnv1a,
    mount_html,
    normalize,
    plan_query,
    query_bigrams,
    scope_ranges,
    tokens,
)

try:
    from browser import (
        browser_missing,
        chromium,
        foreign_requests,
        phone_page,
        record_requests,
        record_responses,
        request_paths,
        serve_directory,
    )
except ImportError:  # tests/ became a package
    from tests.browser import (  # type: ignore[no-redef]
        browser_missing,
        chromium,
        foreign_requests,
        phone_page,
        record_requests,
        record_responses,
        request_paths,
        serve_directory,
    )

BUDGET = 100_000  # gzipped bytes one query may download

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文辉力斌宇浩凯鹏飞云海波峰林春梅琴雪燕亮成永福德贵山水田地生金银宝荣昌"
VILLAGE_A = "东西南北上下大小新老前后高石柳杨桃杏梨枣黄白青红双三"
VILLAGE_B = "山河湾沟坪岭庄店园塘桥坝岗营寨堡屯峪洼台"
TOWNS = [
    "城关",
    "东山",
    "河口",
    "龙泉",
    "青石",
    "白马",
    "清水",
    "柳林",
    "桃源",
    "安乐",
    "太平",
    "永兴",
    "长宁",
    "石门",
    "金沙",
    "凤凰",
    "红岩",
]
ITEMS = [
    "发放{m}月份低保金",
    "城乡低保户慰问金",
    "低保户临时救助",
    "五保户供养金",
    "村道硬化工程款",
    "村道硬化工程质保金",
    "管理费用-办公用品",
    "管理费用-水电费",
    "管理费用-差旅费",
    "支付村干部误工补贴",
    "村两委会议误餐费",
    "水利设施维修",
    "农田灌溉渠清淤",
    "土地承包费收入",
    "集体资产租赁收入",
    "林地流转收入",
    "上级转移支付",
    "一事一议财政奖补",
    "医疗救助金",
    "残疾人两项补贴",
    "高龄老人补贴",
    "垃圾清运费",
    "路灯电费",
    "防汛物资购置",
    "文化广场维护",
    "村卫生室补助",
    "扶贫产业分红",
    "光伏电站收益",
    "退耕还林补助",
    "耕地地力保护补贴",
]


def ledger_doc(rng: random.Random, town: int, village: int, year: int, month: int) -> SearchDoc:
    """Return one realistic monthly ledger page (about 1,500 characters)."""
    local = random.Random(village)  # a village has its own residents and usual ledger items
    roster = [local.choice(SURNAMES) + local.choice(GIVEN) + local.choice(GIVEN) for _ in range(80)]
    items = local.sample(ITEMS, 18)
    vname = (
        VILLAGE_A[village % len(VILLAGE_A)] + VILLAGE_B[village // len(VILLAGE_A) % len(VILLAGE_B)]
    )
    vname += "" if village < len(VILLAGE_A) * len(VILLAGE_B) else "新"
    rows = []
    for n in range(1, 41):
        item = rng.choice(items).format(m=month)
        who = rng.choice(roster)
        amount = (
            rng.choice([200, 350, 480, 600, 1200, 1500, 3000])
            if rng.random() < 0.4
            else rng.randint(10, 99999) / 100
        )
        rows.append(
            f"{year}-{month:02d}-{rng.randint(1, 28):02d} 记-{n:03d} {item} 经办人{who} {amount:.2f}元"
        )
    text = (
        f"{TOWNS[town]}镇{vname}村{year}年{month}月财务收支明细。"
        + "\n".join(rows)
        + "\n本月收入合计、支出合计、期末结余见上表。监督电话12345。"
    )
    return SearchDoc(
        url=f"t{town:02d}/v{village:03d}/{year}-{month:02d}/",
        title=f"{vname}村 {year}年{month}月财务公开",
        subtitle=f"{TOWNS[town]}镇 · 三务公开",
        text=text,
    )


def ledger_corpus(villages: int, months: int = 36, seed: int = 7) -> Iterator[SearchDoc]:
    """Yield a county's pages ordered by town, village, period (village pages contiguous)."""
    rng = random.Random(seed)
    for v in range(villages):
        for k in range(months):
            yield ledger_doc(rng, v * len(TOWNS) // villages, v, 2024 + k // 12, k % 12 + 1)


def searchable(doc: SearchDoc) -> str:
    """Return the normalised text a doc is searchable by."""
    return normalize(f"{doc.title}\n{doc.subtitle}\n{doc.text}")


def substring_hits(docs: list[SearchDoc], query: str) -> list[int]:
    """Return the ids of docs containing query as a substring (brute force)."""
    q = normalize(query)
    return [i for i, d in enumerate(docs) if q in searchable(d)]


def text_doc(i: int, text: str) -> SearchDoc:
    """Return a doc with only body text."""
    return SearchDoc(url=f"d{i}/", title="", subtitle="", text=text)


def bigrams(text: str) -> set[str]:
    """A text's bigrams as the index defines them (none spans a token boundary): what the
    postings, made by sorting numbers, are checked against."""
    s = search._separated(text)
    return {a + b for a, b in itertools.pairwise(s) if search._SEP not in (a, b)}


# --- normalisation, tokens, bigrams ---------------------------------------------------------


def test_normalize_folds_width_and_case() -> None:
    assert normalize("ＡＢＣ１２３．５０　低保") == "abc123.50 低保"
    assert normalize("Ⅻ①㎡") == "xii1m2"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("低保金", ["低保金"]),
        ("城乡低保户，低保金。", ["城乡低保户", "低保金"]),
        ("发放 1,200.00元", ["发放", "1,200.00元"]),
        ("记-015号", ["记-015号"]),
        ("2026-10-03", ["2026-10-03"]),
        ("低-保 金,额", ["低", "保", "金", "额"]),  # CJK-CJK punctuation separates
        ("1..2 -3 4-", ["1", "2", "3", "4"]),  # a connector needs a word character each side
        ("（低保）【村道硬化】", ["低保", "村道硬化"]),
        ("😀表情 𠀀𠀁", ["表情", "𠀀𠀁"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_bigrams_never_span_boundaries() -> None:
    assert bigrams("低保金") == {"低保", "保金"}
    assert bigrams("低保 金额") == {"低保", "金额"}
    assert bigrams("低保，金额") == {"低保", "金额"}
    assert bigrams("1200.00") == {"12", "20", "00", "0.", ".0"}
    assert bigrams("记-015") == {"记-", "-0", "01", "15"}
    assert bigrams("低") == set()


# full-width forms, with what may follow them: a combining mark that composes with the
# decomposed character (＜ + U+0338 is ≮), compatibility characters, and plain Chinese text
_NORMALIZE_CHARS = [
    *(chr(code) for code in (0x3000, *range(0xFF01, 0xFFF0))),
    *"\u0301\u0338\u0308\u3099\u309a",
    *"低保金额ＡａÅﬁ①㎡…ｶﾞ",
    *"ab .-1",
]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(_NORMALIZE_CHARS), max_size=24))
def test_normalize_is_nfkc_then_lower(text: str) -> None:
    """normalize writes full-width forms as their decomposition before NFKC, for speed only."""
    import unicodedata

    assert normalize(text) == unicodedata.normalize("NFKC", text).lower()


def test_every_full_width_form_normalizes_as_nfkc_alone_and_before_a_mark() -> None:
    import unicodedata

    for char in _NORMALIZE_CHARS:
        for text in (char, f"{char}\u0338", f"{char}\u3099", f"低{char}保"):
            assert normalize(text) == unicodedata.normalize("NFKC", text).lower(), repr(text)


def test_packed_postings_are_each_documents_bigrams_in_runs_of_any_length() -> None:
    """The postings made by sorting numbers are the bigrams of each document, for more
    documents than one run of ids holds; surrogates and characters beyond the BMP included."""
    rng = random.Random(7)
    alphabet = "低保金额管理费用 ，.-12Ａａ😀𠀀" + "\ud800"
    docs = [
        SearchDoc(f"t/v/{n}/", f"第{n}页", "", "".join(rng.choices(alphabet, k=rng.randint(0, 30))))
        for n in range(search._RUN_IDS * 2 + 5)
    ]
    expected: dict[str, list[int]] = {}
    for doc_id, doc in enumerate(docs):
        for gram in bigrams(f"{doc.title}\n{doc.subtitle}\n{doc.text}"):
            expected.setdefault(gram, []).append(doc_id)
    for some in (docs, docs[:3], docs[: search._RUN_IDS]):
        want = {gram: ids for gram, ids in expected.items() if ids[0] < len(some)}
        want = {gram: [i for i in ids if i < len(some)] for gram, ids in want.items()}
        got = {gram: list(ids) for gram, ids in search.doc_postings(some).items()}
        assert got == want
    assert search.doc_postings([]) == {}
    assert search.doc_postings([SearchDoc("a/", "", "", ""), SearchDoc("b/", "低", "", "")]) == {}


def test_fnv1a_reference_vectors() -> None:
    assert fnv1a("") == 0x811C9DC5
    assert fnv1a("a") == 0xE40C292C
    assert fnv1a("foobar") == 0xBF9CF968


def test_query_bigrams() -> None:
    assert query_bigrams("  ") == ()
    assert query_bigrams("低") is None
    assert query_bigrams("低保 金") is None  # every term needs two characters
    assert query_bigrams("管理费用") == ("管理", "费用", "理费")  # every other one first
    long = query_bigrams("一二三四五六七八九十甲乙丙丁", limit=5)
    assert long == ("一二", "三四", "五六", "七八", "九十")


# --- postings --------------------------------------------------------------------------------


@given(st.sets(st.integers(min_value=0, max_value=3000)))
@settings(database=None)
def test_posting_roundtrip(ids: set[int]) -> None:
    ordered = sorted(ids)
    assert decode_posting(encode_posting(ordered)) == ordered
    assert decode_posting(encode_bitmap(ordered)) == ordered
    assert decode_posting(encode_best(ordered)[0]) == ordered


@given(st.sets(st.integers(min_value=0, max_value=5000), min_size=256, max_size=2000))
@settings(database=None, max_examples=60)
def test_long_postings_encode_as_the_loop_does(ids: set[int]) -> None:
    from builder.publish import search

    ordered = sorted(ids)
    assert len(ordered) >= search.VECTOR_FROM  # numpy's path
    loop = search.VECTOR_FROM
    try:
        search.VECTOR_FROM = 10**9  # the loops' path
        runs, bitmap = encode_posting(ordered), encode_bitmap(ordered)
    finally:
        search.VECTOR_FROM = loop
    assert encode_posting(ordered) == runs
    assert encode_bitmap(ordered) == bitmap
    with pytest.raises(ValueError):
        encode_posting([ordered[0], *ordered])  # not unique


def test_common_bigram_posting_is_tiny() -> None:
    assert len(encode_posting(range(22_000))) <= 5  # one run
    assert len(encode_posting([*range(0, 10_000), *range(10_001, 22_000)])) <= 8
    assert encode_best(range(0, 22_000, 2))[0].startswith("~")  # dense but scattered: bitmap


# --- queries ---------------------------------------------------------------------------------


@pytest.fixture
def small_index(tmp_path: Path) -> tuple[list[SearchDoc], Path]:
    """Return a handful of docs and their index (tiny chunks and shards)."""
    docs = [
        text_doc(0, "本月发放低保金 3 户"),
        text_doc(1, "村道硬化工程款 1200.00元 记-015"),
        text_doc(2, "城乡低保户慰问；村道修补 记账 015"),
        text_doc(3, "管理费用-办公用品 85.50"),
        SearchDoc("t/v/2026-01/", "东山村 2026年1月", "城关镇", "低保户名单"),
    ]
    build_search_index(docs, tmp_path, shard_target_gzip=30, chunk_size=2)
    return docs, tmp_path


def test_and_semantics(small_index: tuple[list[SearchDoc], Path]) -> None:
    _docs, index = small_index
    ids = {
        q: plan_query(index, q).ids for q in ["低保", "低保 村道", "低保 硬化", "村道", "低保金"]
    }
    assert ids == {
        "低保": (0, 2, 4),
        "低保 村道": (2,),
        "低保 硬化": (),
        "村道": (1, 2),
        "低保金": (0,),
    }
    assert plan_query(index, "记-015").ids == (1,)
    assert plan_query(index, "1200.00").ids == (1,)
    assert plan_query(index, "东山村").urls == ("t/v/2026-01/",)  # titles are searchable
    assert plan_query(index, "ＬＯＷ 低保").ids == ()


def test_one_character_query_fetches_nothing(small_index: tuple[list[SearchDoc], Path]) -> None:
    _docs, index = small_index
    for q in ["低", "低保 金", "，保，"]:
        plan = plan_query(index, q)
        assert (plan.message, plan.files, plan.total) == (MIN_CHARS_MESSAGE, (), 0)
    assert plan_query(index, "  ").files == ()


def test_scope_filters_without_extra_files(small_index: tuple[list[SearchDoc], Path]) -> None:
    docs, index = small_index
    everywhere, scoped = plan_query(index, "低保"), plan_query(index, "低保", scope=(1, 3))
    assert scoped.ids == (2,)
    assert set(scoped.files) <= set(everywhere.files) | {"m/1.json"}
    assert doc_range(docs, "t/v/") == (4, 5)
    assert scope_ranges(docs)["t/v/"] == scope_ranges(docs, depth=1)["t/"] == (4, 5)
    assert scope_ranges(docs)["d2/"] == (2, 3)
    with pytest.raises(ValueError):
        doc_range([*docs, text_doc(9, ""), docs[4]], "t/v/")
    with pytest.raises(ValueError):
        scope_ranges([*docs, text_doc(9, ""), docs[4]])


def test_empty_index(tmp_path: Path) -> None:
    stats = build_search_index([], tmp_path)
    assert (stats.docs, stats.shards, stats.chunks) == (0, 1, 0)
    plan = plan_query(tmp_path, "低保")
    assert plan.ids == () and plan.files[0] == "manifest.json"


def test_plan_files_and_pages(small_index: tuple[list[SearchDoc], Path]) -> None:
    _docs, index = small_index
    plan = plan_query(index, "低保")
    manifest = json.loads((index / "manifest.json").read_text())
    # 低保 is also looked up as 最低生活保障 (search.SYNONYMS), with the bigrams it may fetch
    grams = ["低保", *query_bigrams("最低生活保障", limit=manifest["max_bigrams"] // 2)]
    shards = dict.fromkeys(f"s/{fnv1a(g) % manifest['shards']}.json" for g in grams)
    assert plan.files == ("manifest.json", *shards, "m/0.json", "m/1.json", "m/2.json")
    assert plan.shown == plan.urls == ("d0/", "d2/", "t/v/2026-01/")
    assert 0 < plan.gzip_bytes < 2_000


def test_rejects_urls_that_are_not_site_relative(tmp_path: Path) -> None:
    for url in ["javascript:alert(1)", "/abs/", "https://x.example/", "//x.example/"]:
        with pytest.raises(ValueError):
            build_search_index([SearchDoc(url, "t", "", "低保")], tmp_path)


# Mostly word characters (CJK, digits, full-width, astral), some connectors and separators.
ALPHABET = list(
    "低保金户城乡村道硬化管理费用记账0123456789ＡＢｃ１𠀀" * 4 + "-.,:/_，。、 \t\n　（）😀"
)


@given(
    texts=st.lists(st.text(alphabet=ALPHABET, max_size=40), min_size=1, max_size=6),
    data=st.data(),
)
@settings(database=None, deadline=None, max_examples=150)
def test_recall_any_substring_finds_its_doc(texts: list[str], data: st.DataObject) -> None:
    docs = [text_doc(i, t) for i, t in enumerate(texts)]
    i = data.draw(st.integers(0, len(docs) - 1))
    body = searchable(docs[i])
    start = data.draw(st.integers(0, max(0, len(body) - 2)))
    query = body[start : start + data.draw(st.integers(2, 12))]
    terms = " ".join(t for t in tokens(query) if len(t) >= 2)  # its words of two or more
    with tempfile.TemporaryDirectory() as tmp:
        build_search_index(docs, Path(tmp), shard_target_gzip=20, chunk_size=2)
        plan = plan_query(Path(tmp), query)
        words = plan_query(Path(tmp), terms)
    if plan.message is None and plan.bigrams:
        assert i in plan.ids
        assert set(substring_hits(docs, query)) <= set(plan.ids)
    else:  # only a query with a one-character term (or none) is refused
        assert any(len(t) < 2 for t in tokens(query)) or not tokens(query)
    assert i in words.ids or not terms


def test_deterministic_and_stale_files_removed(tmp_path: Path) -> None:
    docs = list(ledger_corpus(villages=6, months=12))
    a, b = tmp_path / "a", tmp_path / "b"
    stats = build_search_index(docs, a, shard_target_gzip=500)
    build_search_index(list(docs), b, shard_target_gzip=500)
    files = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert stats.files == len(files) and stats.shards > 1
    (a / "index.html").write_text("search page")  # other files in out_dir are left alone
    build_search_index(docs[:10], a)
    assert (a / "index.html").exists()
    assert len(list(a.glob("s/*.json"))) == json.loads((a / "manifest.json").read_text())["shards"]
    assert sorted(p.name for p in a.glob("m/*.json")) == ["0.json"]


def test_mount_html_escapes_and_works_without_js() -> None:
    snippet = mount_html(
        "../../search/", "../../", "../../assets/search.js", scope=(36, 72), scope_label='东"山村'
    )
    assert 'data-index="../../search/" data-root="../../"' in snippet
    assert 'data-scope="36-72" data-scope-label="东&quot;山村"' in snippet
    assert '<form action="../../search/" method="get"' in snippet and 'name="q"' in snippet
    assert "<noscript>" in snippet and "搜索</button>" in snippet


def test_js_tables_match_python() -> None:
    js = (ASSETS_DIR / "search.js").read_text()
    table = re.search(r"var W = \[([^\]]*)\]", js)
    assert table is not None
    numbers = [int(x, 16) for x in re.findall(r"0x[0-9a-f]+", table.group(1))]
    assert list(zip(numbers[::2], numbers[1::2], strict=True)) == list(search.WORD_RANGES)
    assert f"var CONN = '{search.CONNECTORS}';" in js
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js
    # NOTE: 12 KB with synonyms, wildcards, snippets and the empty query's help; 4.5 KB gzipped
    assert len(js.encode()) < 12_000


# --- county scale ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[SearchDoc], Path]:
    """Return a 22,032-page synthetic county and its index.

    The size is what the download budget is about: shard and chunk sizes grow with the county.
    How long the index takes is `make bench`'s business, not a test's."""
    docs = list(ledger_corpus(villages=612))
    out = tmp_path_factory.mktemp("county") / "search"
    build_search_index(docs, out)
    return docs, out


# NOTE: the county's tests on one worker of the suite's two, so its index is built once
ON_ONE_WORKER = pytest.mark.xdist_group("search_county")
COUNTY_QUERIES = ["低保", "管理费用", "村道硬化", "1200.00", "记-015", "防汛物资", "光伏电站收益"]


@ON_ONE_WORKER
def test_county_queries_fit_the_budget_with_full_recall(
    county: tuple[list[SearchDoc], Path],
) -> None:
    docs, index = county
    assert len(docs) > 22_000
    rare = docs[5_000].text.split("经办人")[1].split()[0]  # a resident's name: one village
    for query in [*COUNTY_QUERIES, rare, "东山村 低保", f"{rare} 低保金"]:
        plan = plan_query(index, query)
        assert plan.gzip_bytes <= BUDGET, (query, plan.gzip_bytes)
        assert set(substring_hits(docs, query)) <= set(plan.ids), query
        assert len(plan.shown) == min(20, plan.total)
    # a one-bigram query is exact: 低保 inside 低保金 and 城乡低保户 included
    assert plan_query(index, "低保").ids == tuple(substring_hits(docs, "低保"))


@ON_ONE_WORKER
def test_county_worst_case_query_fits_the_budget(
    county: tuple[list[SearchDoc], Path],
) -> None:
    _docs, index = county
    manifest = json.loads((index / "manifest.json").read_text())
    sizes = {p: search._gzip_size(p.read_bytes()) for p in index.rglob("*.json")}
    worst_shard = max(v for p, v in sizes.items() if p.parent.name == "s")
    worst_chunk = max(v for p, v in sizes.items() if p.parent.name == "m")
    worst = manifest["max_bigrams"] * worst_shard + manifest["max_chunks"] * worst_chunk
    assert worst + sizes[index / "manifest.json"] <= BUDGET
    long = "发放3月份低保金 村道硬化工程质保金 管理费用-水电费 垃圾清运费"
    plan = plan_query(index, long)
    assert len(plan.bigrams) == manifest["max_bigrams"] and plan.gzip_bytes <= BUDGET


@ON_ONE_WORKER
def test_county_recall_of_random_substrings(county: tuple[list[SearchDoc], Path]) -> None:
    docs, index = county
    rng = random.Random(3)
    checked = 0
    while checked < 80:
        i = rng.randrange(len(docs))
        body = searchable(docs[i])
        start = rng.randrange(len(body) - 8)
        query = body[start : start + rng.randint(2, 8)]
        plan = plan_query(index, query)
        if plan.message is None and plan.bigrams:
            assert i in plan.ids, query
            checked += 1


# --- the widget in a real browser ------------------------------------------------------------

EVIL_TITLE = '<img src=x onerror="window.pwned=1">低保公示'


def write_site(root: Path) -> tuple[list[SearchDoc], str]:
    """Write a small static site (home, one village's page, assets, index); return docs, village."""
    docs = [SearchDoc("x/evil/", EVIL_TITLE, "<b>粗体</b>", "低保 <script>window.pwned=2</script>")]
    docs += ledger_corpus(villages=8)
    build_search_index(docs, root / "search", chunk_size=10, shard_target_gzip=1_000)
    shutil.copytree(ASSETS_DIR, root / "assets")
    page = "<!doctype html><html lang='zh-CN'><meta charset='utf-8'>"
    page += "<meta name='viewport' content='width=device-width'><link rel='stylesheet' href='{}'>"
    home = mount_html("search/", "./", "assets/search.js")
    (root / "index.html").write_text(page.format("assets/search.css") + home)
    prefix = docs[40].url.rsplit("/", 2)[0] + "/"  # the second village, e.g. t02/v001/
    village = root / prefix / "2024-01"
    village.mkdir(parents=True)
    snippet = mount_html(
        "../../../search/",
        "../../../",
        "../../../assets/search.js",
        scope=doc_range(docs, prefix),
        scope_label="东山村",
    )
    (village / "index.html").write_text(page.format("../../../assets/search.css") + snippet)
    return docs, prefix


def search_files(requests: list[object], base: str) -> set[str]:
    """Return the index files (relative to search/) among the requests."""
    return {p[len("search/") :] for p in request_paths(requests, base) if p.startswith("search/")}


def wait_for_results(page: object, count: int) -> None:
    """Wait until the status line is final and count results are listed."""
    page.wait_for_function(  # type: ignore[attr-defined]
        "n => document.querySelectorAll('.sunlight-list li').length === n"
        " && !/正在/.test(document.querySelector('.sunlight-status').textContent)",
        arg=count,
    )


@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_widget_in_phone_browser(tmp_path: Path) -> None:
    docs, _village = write_site(tmp_path)
    index = tmp_path / "search"
    plan = plan_query(index, "低保")
    assert docs[0].url in plan.shown and plan.total > 40
    with serve_directory(tmp_path) as base, chromium() as browser:
        page = phone_page(browser)
        requests = record_requests(page)
        responses = record_responses(page)
        page.goto(base + "index.html")
        page.wait_for_load_state("networkidle")
        assert search_files(requests, base) == set()  # lazy: nothing until a search
        page.fill("#sunlight-search input[name=q]", "低保")
        page.click("#sunlight-search button[type=submit]")
        wait_for_results(page, len(plan.shown))
        status = page.text_content(".sunlight-status")
        assert status == f"找到 {plan.total} 个页面"
        hrefs = page.eval_on_selector_all(
            ".sunlight-list a", "as => as.map(a => a.href.split('#')[0])"
        )
        assert hrefs == [base + url for url in plan.shown]
        assert page.text_content(".sunlight-list a") == EVIL_TITLE  # shown as text, not HTML
        assert page.text_content(".sunlight-sub") == "<b>粗体</b>"
        assert page.evaluate("window.pwned") is None
        assert search_files(requests, base) == set(plan.files)
        sent = sum(
            int(r.header_value("content-length") or 0)  # type: ignore[attr-defined]
            for r in responses
            if "/search/" in r.url  # type: ignore[attr-defined]
        )
        assert sent == plan.gzip_bytes
        assert page.url == base + "index.html?q=" + quote("低保")

        two = plan_query(index, "低保", pages=2)
        page.click(".sunlight-more")
        wait_for_results(page, len(two.shown))
        assert search_files(requests, base) == set(two.files) != set(plan.files)

        before = len(requests)
        page.fill("#sunlight-search input[name=q]", "低")
        page.click("#sunlight-search button[type=submit]")
        page.wait_for_function(
            "document.querySelector('.sunlight-status').textContent === '请至少输入两个字'"
        )
        assert len(requests) == before
        assert page.evaluate("getComputedStyle(document.body).overflowX") != "scroll"
        assert page.evaluate("document.documentElement.scrollWidth") <= 360

        deep = phone_page(browser)
        deep_requests = record_requests(deep)
        deep.goto(base + "index.html?q=" + quote("管理费用"))
        fee = plan_query(index, "管理费用")
        wait_for_results(deep, len(fee.shown))
        assert deep.text_content(".sunlight-status") == f"找到 {fee.total} 个页面"
        assert search_files(deep_requests, base) == set(fee.files)
        assert foreign_requests(requests) == foreign_requests(deep_requests) == []


@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_widget_scoped_to_a_village(tmp_path: Path) -> None:
    docs, village = write_site(tmp_path)
    index = tmp_path / "search"
    scope = doc_range(docs, village)
    scoped, everywhere = plan_query(index, "低保", scope=scope), plan_query(index, "低保")
    assert 0 < scoped.total < everywhere.total
    with serve_directory(tmp_path) as base, chromium() as browser:
        page = phone_page(browser)
        requests = record_requests(page)
        page.goto(base + village + "2024-01/index.html")
        assert page.is_checked(".sunlight-scope input")
        assert page.text_content(".sunlight-scope") == "只搜东山村"
        page.fill("#sunlight-search input[name=q]", "低保")
        page.press("#sunlight-search input[name=q]", "Enter")
        wait_for_results(page, len(scoped.shown))
        assert page.text_content(".sunlight-status") == f"找到 {scoped.total} 个页面"
        hrefs = page.eval_on_selector_all(
            ".sunlight-list a", "as => as.map(a => a.href.split('#')[0])"
        )
        assert hrefs == [base + url for url in scoped.shown]
        assert search_files(requests, base) == set(scoped.files)
        page.uncheck(".sunlight-scope input")
        wait_for_results(page, len(everywhere.shown))
        assert page.text_content(".sunlight-status") == f"找到 {everywhere.total} 个页面"
        fetched = search_files(requests, base)
        assert fetched == set(scoped.files) | set(everywhere.files)
        assert {f for f in fetched if f.startswith("s/")} == {
            f for f in scoped.files if f.startswith("s/")
        }  # widening the scope downloads no shard again
        assert foreign_requests(requests) == []


JS_PARITY_STRINGS = [
    "ＡＢＣ１２３．５０",
    "İstanbul ß Σίσυφος",
    "𠀀𠀁𠀂 abc",
    "1,200.00元 记-015号 2026-10-03",
    "a-b-c ..1.. -x- 低-保 金,额 3.5万",
    "½ ㎡ ﬁ Ⅻ ①② ｶﾞ",
    "tab\tsep\u00a0nbsp\u3000ideo",
    "emoji😀表情 ئۇيغۇر བོད་ཡིག 한국어 ꆈꌠ",
    "（低保）【村道硬化】“管理费用”",
]


@pytest.mark.browser
@pytest.mark.skipif(browser_missing() is not None, reason=str(browser_missing()))
def test_js_tokens_hash_and_postings_match_python(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    shutil.copy(ASSETS_DIR / "search.js", tmp_path / "assets" / "search.js")
    (tmp_path / "index.html").write_text(
        "<!doctype html><meta charset='utf-8'><script src='assets/search.js'></script>"
    )
    rng = random.Random(5)
    id_sets = [sorted(rng.sample(range(5_000), k)) for k in (0, 1, 7, 300, 2_600, 4_900)]
    postings = [encode_posting(ids) for ids in id_sets] + [encode_bitmap(ids) for ids in id_sets]
    with serve_directory(tmp_path) as base, chromium() as browser:
        page = phone_page(browser)
        page.goto(base + "index.html")
        js = page.evaluate(
            """([qs, ps]) => [
                qs.map(q => {
                  const t = SunlightSearch.tokens(q), g = SunlightSearch.grams(t, 1000);
                  return [t, g, g.map(SunlightSearch.fnv)];
                }),
                ps.map(SunlightSearch.decode)]""",
            [JS_PARITY_STRINGS, postings],
        )
    for q, (toks, grams, hashes) in zip(JS_PARITY_STRINGS, js[0], strict=True):
        assert toks == tokens(q), q
        ordered = list(dict.fromkeys(t[i : i + 2] for t in toks for i in range(len(t) - 1)))
        assert grams == ordered[0::2] + ordered[1::2], q
        assert hashes == [fnv1a(g) for g in grams], q
    assert js[1] == id_sets + id_sets


def test_scope_by_url_prefix_matches_the_range(small_index: tuple[list[SearchDoc], Path]) -> None:
    docs, index = small_index
    for prefix, ids in scope_ranges(docs).items():
        by_prefix = plan_query(index, "低保", scope=prefix)
        assert by_prefix.ids == plan_query(index, "低保", scope=ids).ids
        assert any(f.startswith("p/") for f in by_prefix.files)


def test_postings_encoded_in_two_processes_make_the_one_process_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A county's bigrams are encoded in batches in two processes: the same files as one."""
    rng = random.Random(7)
    words = "村道硬化低保管理费用收支明细合同公开监督委员会补贴发放工程验收党员大会" * 3
    docs = [
        SearchDoc(
            f"t{i % 7}/v{i}/",
            f"第{i}页",
            "",
            " ".join("".join(rng.sample(words, 6)) + f"{rng.randint(0, 99999)}" for _ in range(40)),
        )
        for i in range(300)
    ]
    monkeypatch.setattr(search, "PARALLEL_IDS", 10**12)
    alone = search.render_index(docs)
    batches: list[int] = []
    real = search.parallel_map

    def spied(function: object, items: list[object]) -> object:
        batches.append(len(items))
        return real(function, items)  # type: ignore[arg-type]

    monkeypatch.setattr(search, "parallel_map", spied)
    monkeypatch.setattr(search, "PARALLEL_IDS", 1)
    together = search.render_index(docs)
    assert batches and batches[0] >= 40  # parallel_map forks from 40 items
    assert len(alone[0]) > 10 and together == alone
