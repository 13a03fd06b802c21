/* Sunlight search client: fetches only the index shards a query needs (format: builder/search.py).
   ES2017, no dependencies; record text is only ever set with textContent. */
(function () {
  'use strict';
  // Word characters (inclusive code point ranges) and connectors: the same as builder/search.py.
  var W = [0x30, 0x39, 0x41, 0x5a, 0x61, 0x7a, 0xc0, 0xd6, 0xd8, 0xf6, 0xf8, 0x24f, 0x370, 0x3ff,
    0x400, 0x4ff, 0x620, 0x64a, 0x660, 0x669, 0x671, 0x6d3, 0xf40, 0xfbc, 0x1820, 0x1878,
    0x3005, 0x3007, 0x3400, 0x4dbf, 0x4e00, 0x9fff, 0xa000, 0xa48c, 0xac00, 0xd7a3, 0xf900, 0xfaff,
    0x20000, 0x3ffff];
  var CONN = '.,-/:_';
  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

  function isW(c) {
    for (var i = 0; i < W.length && c >= W[i]; i += 2) if (c <= W[i + 1]) return true;
    return false;
  }
  function isA(c) { return c < 128 && isW(c); }

  // Tokens of a query: runs of word characters; a connector joins word characters around it
  // when one of them is an ASCII letter or digit (1200.00, 记-015).
  function tokens(q) {
    var s = Array.from(q.normalize('NFKC').toLowerCase()), out = [], cur = '';
    var cp = function (i) { return i >= 0 && i < s.length ? s[i].codePointAt(0) : -1; };
    for (var i = 0; i <= s.length; i++) {
      var k = i < s.length && isW(cp(i));
      if (!k && i < s.length && CONN.indexOf(s[i]) >= 0) {
        var a = cp(i - 1), b = cp(i + 1);
        k = isW(a) && isW(b) && (isA(a) || isA(b));
      }
      if (k) cur += s[i];
      else { if (cur) out.push(cur); cur = ''; }
    }
    return out;
  }

  // Distinct bigrams in order; past the cap keep every other one first (recall is kept).
  function grams(toks, max) {
    var g = [], r = [];
    toks.forEach(function (t) {
      var a = Array.from(t);
      for (var i = 0; i + 1 < a.length; i++) if (g.indexOf(a[i] + a[i + 1]) < 0) g.push(a[i] + a[i + 1]);
    });
    for (var p = 0; p < 2; p++) for (var j = p; j < g.length && r.length < max; j += 2) r.push(g[j]);
    return r;
  }

  function fnv(s) { // FNV-1a, 32 bits, over UTF-8
    var b = unescape(encodeURIComponent(s)), h = 0x811c9dc5;
    for (var i = 0; i < b.length; i++) h = Math.imul(h ^ b.charCodeAt(i), 16777619) >>> 0;
    return h;
  }

  function decode(s) { // posting -> ascending doc ids
    var ids = [], v = [], n = 0, m = 1, i, j, d;
    if (s[0] === '~') {
      for (i = 1; i < s.length; i++) {
        d = B64.indexOf(s[i]);
        for (j = 0; j < 6; j++) if (d >> j & 1) ids.push((i - 1) * 6 + j);
      }
      return ids;
    }
    for (i = 0; i < s.length; i++) {
      d = B64.indexOf(s[i]);
      n += (d & 31) * m;
      if (d & 32) m *= 32; else { v.push(n); n = 0; m = 1; }
    }
    for (i = 0, n = 0; i < v.length;) {
      var start = n + Math.floor(v[i] / 2), len = v[i++] % 2 ? v[i++] + 2 : 1;
      for (j = 0; j < len; j++) ids.push(start + j);
      n = start + len;
    }
    return ids;
  }

  function intersect(a, b) {
    var r = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] < b[j]) i++; else if (a[i] > b[j]) j++; else { r.push(a[i]); i++; j++; }
    }
    return r;
  }

  // 刘*田 -> 刘田: a masked name is indexed without its stars, so * stands for hidden characters.
  function joinStars(q) {
    return q.normalize('NFKC').toLowerCase().replace(/([^\s*])\*+(?=[^\s*])/g, '$1').replace(/\*/g, ' ');
  }
  // The queries one search runs: each synonym term replaced by each of its words in turn.
  function variants(q, syn, max) {
    var out = [''];
    joinStars(q).split(/\s+/).filter(Boolean).forEach(function (t) {
      var alts = syn && syn.hasOwnProperty(t) ? syn[t] : [t], next = [];
      out.forEach(function (v) { alts.forEach(function (a) { next.push(v ? v + ' ' + a : a); }); });
      out = next;
    });
    return out.filter(Boolean).slice(0, max);
  }
  // A result's snippet: the first row or paragraph of its page that holds a searched word. The
  // first few results' pages are fetched (the one the reader opens next is then cached).
  var SNIPPETS = 3;
  function findLine(doc, words) {
    var els = doc.querySelectorAll('article td, article p, article li, article h2, article h3, article summary');
    for (var i = 0; i < els.length; i++) {
      var el = els[i].closest('tr') || els[i], t = (el.cells ? Array.from(el.cells).map(function (c) {
        return c.textContent.trim();
      }).filter(Boolean).join(' · ') : el.textContent).replace(/\s+/g, ' ').trim();
      for (var j = 0; j < words.length; j++) {
        var k = t.indexOf(words[j]);
        if (k < 0) k = t.toLowerCase().indexOf(words[j]);
        if (k >= 0) return [t, k, words[j].length];
      }
    }
    return null;
  }
  async function snippet(li, a, url, words) {
    var r = await fetch(url);
    if (!r.ok) return;
    var found = findLine(new DOMParser().parseFromString(await r.text(), 'text/html'), words);
    if (!found) return;
    var t = found[0], k = found[1], n = found[2], from = Math.max(0, k - 24), to = Math.min(t.length, k + n + 36);
    var s = li.appendChild(mk('span', (from ? '…' : '') + t.slice(from, k), 'sunlight-snippet'));
    s.appendChild(mk('mark', t.substr(k, n)));
    s.appendChild(document.createTextNode(t.slice(k + n, to) + (to < t.length ? '…' : '')));
    a.href = url + '#:~:text=' + encodeURIComponent(t.substr(k, n)); // opens at the match
  }
  var HELP = '输入要找的字词，例如：低保、修路、管理费用、1200.00。姓名中隐去的字用 * 代替，例如 刘*田。几个词用空格隔开，找同时含有它们的页面。';

  window.SunlightSearch = { tokens: tokens, grams: grams, fnv: fnv, decode: decode, variants: variants, joinStars: joinStars };
  var el = document.getElementById('sunlight-search');
  if (!el || !window.fetch || !''.normalize) return; // the plain GET form still works

  function mk(tag, text, cls) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    if (cls) e.className = cls;
    return e;
  }
  var base = el.getAttribute('data-index') || 'search/';
  var root = el.getAttribute('data-root') || '';
  var scope = el.getAttribute('data-scope') || '';
  var fixed = /^\d+-\d+$/.test(scope);  // a fixed id range, else a url prefix looked up in p/
  var range = fixed ? scope.split('-').map(Number) : [0, 1];
  var form = el.querySelector('form');
  if (!form) {
    form = mk('form');
    form.action = base;
    form.appendChild(mk('input')).name = 'q';
    form.appendChild(mk('button', '搜索')).type = 'submit';
    el.insertBefore(form, el.firstChild);
  }
  var input = form.querySelector('[name=q]');
  var only = null;
  if (scope && range.length === 2 && range[0] < range[1]) {
    var label = form.appendChild(mk('label', null, 'sunlight-scope'));
    only = label.appendChild(mk('input'));
    only.type = 'checkbox';
    only.checked = true;
    label.appendChild(document.createTextNode('只搜' + (el.getAttribute('data-scope-label') || '本页范围')));
    only.onchange = function () { if (input.value) search(input.value); };
  }
  var out = el.appendChild(mk('div', null, 'sunlight-results'));
  out.setAttribute('aria-live', 'polite');

  var cache = {};
  function get(url, opt) {
    if (!cache[url]) {
      cache[url] = fetch(url, opt).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      }).catch(function (e) { delete cache[url]; throw e; });
    }
    return cache[url];
  }

  var run = 0;
  async function search(q) {
    var my = ++run, toks = tokens(joinStars(q));
    out.textContent = '';
    if (!toks.length) { out.appendChild(mk('p', HELP, 'sunlight-status sunlight-help')); return; }
    var say = out.appendChild(mk('p', '请至少输入两个字', 'sunlight-status'));
    if (toks.some(function (t) { return Array.from(t).length < 2; })) return;
    say.textContent = '正在搜索…';
    try {
      var m = await get(base + 'manifest.json', { cache: 'no-cache' });
      if (m.v !== 1) throw new Error('index version');
      var v = '.json?v=' + m.build;
      var usable = variants(q, m.synonyms, 8).filter(function (x) {
        return !tokens(x).some(function (t) { return Array.from(t).length < 2; });
      }).slice(0, Math.max(1, m.max_bigrams));
      var share = Math.max(1, Math.floor(m.max_bigrams / usable.length));
      var found = await Promise.all(usable.map(async function (x) {
        var lists = await Promise.all(grams(tokens(x), share).map(function (g) {
          return get(base + 's/' + fnv(g) % m.shards + v).then(function (s) {
            return s.hasOwnProperty(g) ? decode(s[g]) : [];
          });
        }));
        lists.sort(function (a, b) { return a.length - b.length; });
        return lists.reduce(intersect);
      }));
      var seen = {}, ids = [];
      found.forEach(function (l) { l.forEach(function (i) { if (!seen[i]) { seen[i] = 1; ids.push(i); } }); });
      ids.sort(function (a, b) { return a - b; });
      // the words a snippet looks for: as typed (刘*田 is on the page as written), then each variant's
      var words = q.normalize('NFKC').split(/\s+/).filter(Boolean);
      usable.forEach(function (x) { x.split(' ').forEach(function (w) { if (words.indexOf(w) < 0) words.push(w); }); });
      // the result opens at the words searched for (a text fragment; browsers without it open the top)
      var frag = words.length && !(m.synonyms || {}).hasOwnProperty(words[0]) ? '#:~:text=' + encodeURIComponent(words[0]) : '';
      if (only && only.checked) {
        var r = range;
        if (!fixed) {
          var t = await get(base + 'p/' + fnv(scope) % m.scopes + v);
          r = t[scope] || [0, 0];
        }
        ids = ids.filter(function (i) { return i >= r[0] && i < r[1]; });
      }
      if (my !== run) return;
      say.textContent = ids.length ? '找到 ' + ids.length + ' 个页面' : '没有找到包含“' + q + '”的页面';
      var list = out.appendChild(mk('ol', null, 'sunlight-list'));
      var more = out.appendChild(mk('button', '显示更多', 'sunlight-more'));
      var shown = 0;
      more.type = 'button';
      more.hidden = true;
      var page = async function () {
        var end = shown, chunks = [];
        while (end < ids.length && end - shown < m.page) {
          var c = Math.floor(ids[end] / m.chunk);
          if (chunks.indexOf(c) < 0) {
            if (chunks.length === m.max_chunks) break;
            chunks.push(c);
          }
          end++;
        }
        more.disabled = true;
        var rows = await Promise.all(chunks.map(function (c) { return get(base + 'm/' + c + v); }));
        if (my !== run) return;
        for (; shown < end; shown++) {
          var id = ids[shown], d = rows[chunks.indexOf(Math.floor(id / m.chunk))][id % m.chunk];
          var li = list.appendChild(mk('li'));
          var safe = !/^([a-z][\w+.-]*:|[/\\])/i.test(d[0]); // only site-relative links
          var a = li.appendChild(mk(safe ? 'a' : 'span', d[1] || d[0]));
          a.href = root + d[0] + frag;
          if (d[2]) li.appendChild(mk('span', d[2], 'sunlight-sub'));
          if (safe && shown < SNIPPETS) snippet(li, a, root + d[0], words).catch(function () {});
        }
        more.disabled = false;
        more.hidden = shown >= ids.length;
      };
      more.onclick = function () { page().catch(function () { more.disabled = false; fail(); }); };
      await page();
    } catch (e) {
      fail();
    }
    function fail() { if (my === run) say.textContent = '搜索暂时无法使用，请检查网络后重试。'; }
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    try { history.replaceState(null, '', '?q=' + encodeURIComponent(input.value)); } catch (x) { /* file:// */ }
    search(input.value);
  });
  var q = new URLSearchParams(location.search).get('q');
  if (q) { input.value = q; search(q); }
})();
