"""The rendering shortcuts write exactly what they replaced: the page fragments written in
Python (publish/fragments.py) against the Jinja loops they were, the kept nav sidebar
(publish/sidebar.py) against Material rendering it for every page, and the faster
compact_html, escape and relpath against the originals."""

from __future__ import annotations

import dataclasses
import posixpath
import random
import re
from pathlib import Path

import jinja2
import markupsafe
import pytest
import yaml

from builder import model
from builder.pipeline.validate import validate
from builder.publish import fragments
from builder.publish.build import build_site
from builder.publish.compress import compact_html
from builder.publish.render import make_env, relpath
from builder.publish.sidebar import SidebarNav
from tests.conftest import GOOD, make_project
from tests.test_site import tree_digest

# the loops as period.html and sheet.html wrote them before fragments.py
PAGE_LOOPS = {
    "ledger_rows": """{% for r in p.ledger %}<tr><td>{{ r.date.month }}月{{ r.date.day }}日</td><td>{{ r.voucher_no }}</td><td>{{ r.summary }}{% if r.contract_id and village.contract(r.contract_id) %} <a href="{{ link(village.url + 'contracts/') }}#{{ r.contract_id }}">合同 {{ r.contract_id }}</a>{% endif %}</td><td>{{ r.account_name }} <span class="sl-id">{{ r.account_code }}</span></td><td class="sl-num">{{ r.income | yuan }}</td><td class="sl-num">{{ r.expense | yuan }}</td><td>{{ r.counterparty }}</td><td>{{ r.method }}</td><td{% if r.receipt == '白条' %} class="sl-warn"{% endif %}>{{ r.receipt }}</td><td>{{ r.approver }}</td></tr>
{% endfor %}""",
    "account_rows": """{% for a in p.by_account %}<tr><td class="sl-what">{{ a.name }} <span class="sl-id">{{ a.code }}</span></td>{{ money_cell(a.income if a.income else none, '收入') }}{{ money_cell(a.expense if a.expense else none, '支出') }}</tr>
{% endfor %}""",
    "assistance_rows": """{% for a in p.assistance %}<tr><td class="sl-first">{{ a.category }}</td><td class="sl-what">{% if village.names_online == 'full' %}{{ a.name }}{% else %}{{ a.name | masked }}{% endif %}</td><td class="sl-half">{{ a.group }}</td><td class="sl-half" data-label="家庭人口">{{ a.household_size if a.household_size is not none else '' }}</td>{{ money_cell(a.amount, '金额', 'a%d' % loop.index0) }}<td data-label="公示期"><span class="sl-date">{{ a.notice_start.isoformat() }}</span> 至 <span class="sl-date">{{ a.notice_end.isoformat() }}</span></td><td data-label="状态">{{ a.status }}</td></tr>
{% endfor %}""",
    "affair_sections": """{% for a in p.village_affairs %}<section class="sl-affair"><h3>{{ a.title }}</h3><p class="sl-muted">{{ a.date.isoformat() }}</p>{% for para in a.body.split('\\n') if para.strip() %}<p>{{ para }}</p>{% endfor %}</section>
{% endfor %}""",
    "sheet_ledger_rows": """{% for r in p.ledger %}<tr><td>{{ r.date.isoformat()[5:] }}</td><td>{{ r.voucher_no }}</td><td>{{ r.summary }}</td><td>{{ r.account_code }} {{ r.account_name }}</td><td class="num">{{ r.income | yuan }}</td><td class="num">{{ r.expense | yuan }}</td><td>{{ r.counterparty }}</td></tr>
{% endfor %}""",
    "sheet_account_rows": """{% for a in p.by_account %}<tr><td>{{ a.code }} {{ a.name }}</td><td class="num">{{ (a.income if a.income else none) | yuan }}</td><td class="num">{{ (a.expense if a.expense else none) | yuan }}</td></tr>
{% endfor %}""",
    "sheet_assistance_rows": """{% for a in p.assistance %}<tr><td>{{ a.category }}</td><td>{% if village.names_online == 'full' %}{{ a.name }}{% else %}{{ a.name | masked }}{% endif %}</td><td>{{ a.group }}</td><td>{{ a.household_size if a.household_size is not none else '' }}</td><td class="num">{{ a.amount | yuan }}</td><td>{{ a.notice_start.isoformat() }} 至 {{ a.notice_end.isoformat() }}</td><td>{{ a.status }}</td></tr>
{% endfor %}""",
    "sheet_affair_sections": """{% for a in p.village_affairs %}<section><h3>{{ a.title }}（{{ a.date.isoformat() }}）</h3>{% for para in a.body.split('\\n') if para.strip() %}<p>{{ para }}</p>{% endfor %}</section>
{% endfor %}""",
    "chart_figures": """{% for c in items %}
<figure class="sl-chart" id="{{ c.id }}">
<figcaption>{{ c.title }}</figcaption>
<img src="{{ folder }}{{ c.file_name }}" loading="lazy" width="320" height="{{ c.height }}" alt="">
<table class="sl-table sl-sr"><caption>{{ c.title }}</caption>
<thead><tr>{% for h in c.head %}<th{% if not loop.first %} class="sl-num"{% endif %}>{{ h }}</th>{% endfor %}</tr></thead>
<tbody>{% for r in c.rows %}<tr>{% for cell in r %}<td{% if not loop.first %} class="sl-num"{% endif %}>{{ cell }}</td>{% endfor %}</tr>{% endfor %}</tbody>
</table>
</figure>
{% endfor %}""",
}
NASTY = "<b>&amp;'\"</b> \n\n  第二段 <script>x</script>"


def nasty(period: model.Period) -> model.Period:
    """period with record text that HTML would read as markup, in every kind of row."""
    ledger = tuple(
        dataclasses.replace(r, summary=NASTY, counterparty="A&B <c>", receipt="白条")
        for r in period.ledger
    )
    aid = tuple(dataclasses.replace(a, name="欧阳<小>明", group="'一'") for a in period.assistance)
    affairs = (model.Affair(title=NASTY, date=period.published_at, body=NASTY),)
    return dataclasses.replace(period, ledger=ledger, assistance=aid, village_affairs=affairs)


def test_fragments_write_what_the_template_loops_wrote() -> None:
    from builder.publish.charts import period_charts

    county = validate(GOOD, GOOD.parent).county
    assert county is not None
    env = make_env()
    env.globals["money_cell"] = env.get_template("_macros.html").module.money_cell  # type: ignore[attr-defined]
    checked = 0
    for village in county.villages():
        for names_online in ("full", "masked"):
            shown = dataclasses.replace(village, names_online=names_online)
            for period in [*village.periods, *(nasty(p) for p in village.periods)]:
                charts = period_charts(village, period)
                context = {"p": period, "village": shown, "items": charts, "folder": "x/"}
                link = lambda to: posixpath.relpath(to, "t/v/2024-01")  # noqa: E731
                full = shown.names_online == "full"
                made = {
                    "ledger_rows": fragments.ledger_rows(
                        period.ledger, shown, link(shown.url + "contracts/")
                    ),
                    "account_rows": fragments.account_rows(period.by_account),
                    "assistance_rows": fragments.assistance_rows(period.assistance, full),
                    "affair_sections": fragments.affair_sections(period.village_affairs),
                    "sheet_ledger_rows": fragments.sheet_ledger_rows(period.ledger),
                    "sheet_account_rows": fragments.sheet_account_rows(period.by_account),
                    "sheet_assistance_rows": fragments.sheet_assistance_rows(
                        period.assistance, full
                    ),
                    "sheet_affair_sections": fragments.sheet_affair_sections(
                        period.village_affairs
                    ),
                    "chart_figures": fragments.chart_figures(charts, "x/"),
                }
                for name, loop in PAGE_LOOPS.items():
                    expected = env.from_string(loop).render(link=link, **context)
                    assert str(made[name]) == expected, (name, village.url, period.period)
                    checked += bool(expected)
    assert checked > 100  # the good county has rows of every kind


def test_escape_is_markupsafes() -> None:
    samples = ["", "村委会", NASTY, "&&<<>>''\"\"", "&amp;", *map(chr, range(0x80)), "\u2028é"]
    for text in samples:
        assert fragments.escape(text) == str(markupsafe.escape(text))
        # and where markupsafe is built without its C core
        assert fragments._escape_here(text) == str(markupsafe.escape(text))


def test_relpath_is_posixpaths() -> None:
    parts = ["a", "b", "c", "", ".", "..", "x.y"]
    rng = random.Random(8)
    for _ in range(5000):
        path = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4))) or "."
        start = "/".join(rng.choice(parts) for _ in range(rng.randint(0, 4))) or "."
        for a, b in ((path, start), ("/" + path, "/" + start), (path + "/", start)):
            assert relpath(a, b) == posixpath.relpath(a, b), (a, b)


PRE = re.compile(r"(<(pre|textarea)[\s>].*?</\2>)", re.S)


def compact_two_passes(html: str) -> str:
    """compact_html as it was: leading blanks off each line, then blank lines off."""
    parts = PRE.split(html)
    out = []
    for i, part in enumerate(parts):
        if i % 3 == 0:
            out.append(re.sub(r"\n{2,}", "\n", re.sub(r"\n[ \t]+", "\n", part)))
        elif i % 3 == 1:
            out.append(part)
    return "".join(out)


def test_compact_html_is_the_two_passes_it_replaced() -> None:
    pieces = [" ", "\t", "\n", "\r", "x", "<pre>", "</pre>", "<textarea a>", "</textarea>", "\n  "]
    rng = random.Random(8)
    for _ in range(20000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 24)))
        assert compact_html(html) == compact_two_passes(html), repr(html)


@pytest.mark.slow
def test_kept_nav_is_the_nav_material_renders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A nav whose targets are two and three segments deep (a town, a village), so the key
    needs the page's first segments: the site is the same byte for byte with every page's
    nav rendered anew, and the kept one was rendered fewer times than there are pages."""
    project = make_project(tmp_path / "project")
    county = validate(project / "villages", project).county
    assert county is not None
    town = county.towns[0]
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    config["nav"] += [
        {town.name: f"{town.slug}/index.md"},
        {town.villages[0].name: f"{town.villages[0].url}index.md"},
    ]
    (project / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    rendered = []
    key = SidebarNav.key

    def counted(self: SidebarNav, nav: object, page: object, config: object) -> object:
        found = key(self, nav, page, config)
        rendered.append(found is None or found not in self.kept)
        return found

    monkeypatch.setattr(SidebarNav, "key", counted)
    result = validate(project / "villages", project)
    build_site(project / "mkdocs.yml", tmp_path / "kept", preloaded=result)
    assert 0 < sum(rendered) < len(rendered)
    monkeypatch.setattr(SidebarNav, "key", lambda *args: None)
    build_site(project / "mkdocs.yml", tmp_path / "anew", preloaded=result)
    assert tree_digest(tmp_path / "kept") == tree_digest(tmp_path / "anew")


def test_a_county_theme_of_its_own_nav_is_never_kept(tmp_path: Path) -> None:
    ours = tmp_path / "theme" / "partials"
    ours.mkdir(parents=True)
    (ours / "nav.html").write_text("{{ page.title }}", encoding="utf-8")
    loader = jinja2.FileSystemLoader([str(tmp_path / "theme")])
    sidebar = SidebarNav(jinja2.Environment(loader=loader))
    assert not sidebar.is_materials("partials/nav.html")


@pytest.mark.parametrize("language", ["zh", "en", "zh-TW", "ja"])
def test_kept_translations_are_materials(language: str) -> None:
    """theme/partials/language.html asks each phrase once (site.Translations); Material's asks
    its language file, then English, for every phrase of every page. Every phrase Material
    knows, in languages with all phrases and with some missing (English stands in), and a key
    no language has: the same words."""
    from builder.publish.site import THEME_OVERRIDES, Translations, material_templates_dir

    material = Path(material_templates_dir())
    theirs = jinja2.Environment(loader=jinja2.FileSystemLoader([str(material)]))
    ours = jinja2.Environment(loader=jinja2.FileSystemLoader([str(THEME_OVERRIDES), str(material)]))
    ours.globals["sunlight_translations"] = Translations(ours)
    keys = re.findall(
        r'^\s*"([\w.-]+)":', (material / "partials/languages/en.html").read_text(), re.M
    )
    own = (material / f"partials/languages/{language}.html").read_text()
    assert len(keys) > 50
    # English has every phrase; Chinese lacks a few (English stands in, on the county's pages)
    assert any(f'"{key}":' not in own for key in keys) == (language != "en")
    probe = (
        '{% import "partials/language.html" as lang with context %}'
        "{% for key in keys %}{{ lang.t(key) }}\n{% endfor %}"
    )
    context = {"config": {"theme": {"language": language}}, "keys": [*keys, "no.such.key"]}
    expected = theirs.from_string(probe).render(context)
    assert ours.from_string(probe).render(context) == expected
    assert ours.from_string(probe).render(context) == expected  # kept: the same again
    assert expected.endswith("\nno.such.key\n")
