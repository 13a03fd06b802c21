/* Sunlight: a period page that checks itself, in the reader's own browser.
 *
 * This script loads only when the check is asked for (the page's 核对本页 button, or a sheet's
 * QR link on a host that compresses): a first visit stays light.
 * 1. It fetches the data the page was rendered from (the section's data-check file, named by a
 *    hash of its bytes): {"domain_v1":…,"logged":…,"proofs":…,"record":…,"record_v1":…}, where
 *    record is the canonical bytes the fingerprint (v2) covers, verbatim, record_v1 those of
 *    fingerprint v1 (sheets printed before v2 carry it), and logged the period's versions in the
 *    log. The browser hashes those bytes — SHA-256(data-domain "\0" || bytes), i.e.
 *    "sunlight-period-v2" — with its own Web Crypto, never a declared attribute.
 * 2. Every figure the page shows (balances, totals, each assistance amount: cells marked
 *    data-sl; each ledger row's two amount cells, by position) is recomputed from the records
 *    (the v2 data's "record") and compared with the text shown.
 * 3. The hash is compared with the fingerprint the page shows, and with the one the scanned
 *    sheet's link carries (?fp=…). A ?fp= that is not the v2 one is checked against the v1
 *    bytes of the same file, which count only if they hold the same records as the v2 ones.
 * 4. If the link carries the sheet's tree head (&t=SIZE-ROOT), the RFC 9162 proofs from the same
 *    file are verified: the sheet's version is the last leaf of that tree, and that tree is a
 *    prefix of the head the county signed and witnesses cosigned. Only the page's own site is
 *    asked; a forged page cannot forge a root that matches the paper.
 * Any difference shows the truth (#sl-mismatch): the posted sheet is the record.
 */
(function () {
  "use strict";
  var box = document.getElementById("verify");
  var out = document.getElementById("sl-verify-result");
  if (!box || !out) return;
  var proofs = null, logged = null;
  var subtle = window.crypto && window.crypto.subtle;
  var enc = new TextEncoder();

  function say(ok, text) {
    out.hidden = false;
    out.setAttribute("data-state", ok ? "match" : "mismatch");
    out.className = "sl-verify-result " + (ok ? "sl-ok" : "sl-bad");
    out.textContent = text;
    if (!ok) showTruth();
  }
  function el(tag, text) {
    var e = document.createElement(tag);
    if (text) e.textContent = text;
    return e;
  }
  /* The truth goes right under the verdict, at the top of the page: the posted sheet is the
     record; the period's logged versions (from the check's data; text, never markup); the
     hotlines (in the page, so they show even when the data cannot be fetched). */
  var told = false;
  function showTruth() {
    var mm = document.getElementById("sl-mismatch");
    if (!mm) return;
    if (!told) {
      told = true;
      var lead = el("p"), list = el("ul"), i;
      lead.appendChild(el("strong", "本页显示的内容与张贴的纸质公示不符。"));
      lead.appendChild(document.createTextNode("张贴在公开栏、经村务监督委员会审核签字的纸质公示是正式记录，请以纸质公示为准，不要以本页为准。"));
      mm.insertBefore(lead, mm.firstChild);
      if (logged) {
        list.id = "sl-versions";
        for (i = 0; i < logged.length; i++) {
          var v = logged[i], li = el("li", v.when + " " + v.what + "，指纹 ");
          li.setAttribute("data-fp", v.fp);
          li.appendChild(el("code", v.fp.slice(0, 32)));
          li.appendChild(document.createTextNode("（公开记录第 " + v.seq + " 条）"));
          list.appendChild(li);
        }
        if (!logged.length) list.appendChild(el("li", "本期还没有记入公开记录。"));
        mm.insertBefore(list, lead.nextSibling);
        mm.insertBefore(el("p", "公开记录中本期的各个版本："), list);
      }
    }
    if (mm.previousElementSibling !== out) out.parentNode.insertBefore(mm, out.nextSibling);
    mm.hidden = false;
  }
  function hex(buf) {
    var b = new Uint8Array(buf), s = "";
    for (var i = 0; i < b.length; i++) s += (b[i] < 16 ? "0" : "") + b[i].toString(16);
    return s;
  }
  function cat(parts) {
    var n = 0, i, o = 0;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var r = new Uint8Array(n);
    for (i = 0; i < parts.length; i++) { r.set(parts[i], o); o += parts[i].length; }
    return r;
  }
  function sha(bytes) { return subtle.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); }); }
  function param(name) {
    var m = new RegExp("[?&]" + name + "=([^&#]*)").exec(location.search);
    if (!m) return null;
    try { return decodeURIComponent(m[1].replace(/\+/g, " ")); } catch (e) { return ""; }
  }
  /* money: "12500.00" -> cents (integers are exact up to 2^53) */
  function cents(s) {
    if (s === "" || s == null) return null;
    var neg = s.charAt(0) === "-", t = neg ? s.slice(1) : s, p = t.split(".");
    var c = parseInt(p[0], 10) * 100 + parseInt(((p[1] || "") + "00").slice(0, 2), 10);
    return neg ? -c : c;
  }
  function yuan(c) {
    if (c == null) return "";
    var neg = c < 0, a = Math.abs(c), whole = String(Math.floor(a / 100)), frac = String(a % 100);
    whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (neg ? "-" : "") + whole + "." + (frac.length < 2 ? "0" + frac : frac);
  }
  /* the text a figure's cell shows before any inner element (a balance's split line) */
  function text(cell) {
    var node = cell.firstChild;
    return node && node.nodeType === 3 ? node.nodeValue.trim() : "";
  }
  function figures(data) {
    var want = {}, inc = 0, exp = 0, i;
    var oc = cents(data.opening.cash), ob = cents(data.opening.bank);
    var cc = cents(data.closing.cash), cb = cents(data.closing.bank);
    want.opening = yuan(oc + ob);
    want.closing = yuan(cc + cb);
    want["opening-split"] = "现金 " + yuan(oc) + " · 银行 " + yuan(ob);
    want["closing-split"] = "现金 " + yuan(cc) + " · 银行 " + yuan(cb);
    var bad = [], rows = document.querySelectorAll(".sl-ledger tbody tr");
    if (rows.length !== data.ledger.length) bad.push("rows");
    for (i = 0; i < data.ledger.length; i++) {
      var r = data.ledger[i], ri = cents(r.income), re = cents(r.expense);
      /* a ledger row's two amount cells, by position: income, then expense */
      var amounts = rows[i] ? rows[i].querySelectorAll("td.sl-num") : [];
      if (amounts.length !== 2 || text(amounts[0]) !== yuan(ri) || text(amounts[1]) !== yuan(re)) bad.push("l" + i);
      if (ri != null) inc += ri;
      if (re != null) exp += re;
    }
    want.income = yuan(inc);
    want.expense = yuan(exp);
    for (i = 0; i < data.assistance.length; i++) want["a" + i] = yuan(cents(data.assistance[i].amount));
    var seen = {}, cells = document.querySelectorAll("[data-sl]");
    for (i = 0; i < cells.length; i++) {
      var key = cells[i].getAttribute("data-sl");
      seen[key] = true;
      if (!(key in want) || want[key] !== text(cells[i])) bad.push(key);
    }
    for (var k in want) if (!seen[k]) bad.push(k);
    return bad;
  }
  function versionOf(fp) {
    for (var i = 0; logged && i < logged.length; i++) {
      if (logged[i].fp.indexOf(fp) === 0) return logged[i];
    }
    return null;
  }
  function b64bytes(t) {
    var r = atob(t), b = new Uint8Array(r.length);
    for (var i = 0; i < r.length; i++) b[i] = r.charCodeAt(i);
    return b;
  }
  function same(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function node(l, r) { return sha(cat([new Uint8Array([1]), l, r])); }
  /* RFC 9162 2.1.3.2, computing the root an inclusion path leads to (null: malformed) */
  function inclusionRoot(leaf, index, size, path) {
    var fn = index, sn = size - 1, r = Promise.resolve(leaf), i = 0;
    function step(h) {
      if (i === path.length) return sn === 0 ? h : null;
      var p = path[i++];
      if (sn === 0) return null;
      var next;
      if ((fn & 1) || fn === sn) {
        next = node(p, h);
        if (!(fn & 1)) while (fn !== 0 && !(fn & 1)) { fn >>= 1; sn >>= 1; }
      } else next = node(h, p);
      fn >>= 1; sn >>= 1;
      return next.then(step);
    }
    return r.then(step);
  }
  /* RFC 9162 2.1.4.2: resolves true when tree size1 (root1) is a prefix of size2 (root2) */
  function consistent(size1, size2, root1, root2, proof) {
    if (size1 === size2) return Promise.resolve(proof.length === 0 && same(root1, root2));
    if (size1 === 0 || size1 > size2 || proof.length === 0) return Promise.resolve(false);
    var path = proof.slice();
    if ((size1 & (size1 - 1)) === 0) path.unshift(root1);
    var fn = size1 - 1, sn = size2 - 1, i = 1;
    while (fn & 1) { fn >>= 1; sn >>= 1; }
    function step(fr, sr) {
      if (i === path.length) return sn === 0 && same(fr, root1) && same(sr, root2);
      var c = path[i++];
      if (sn === 0) return false;
      var both;
      if ((fn & 1) || fn === sn) {
        both = Promise.all([node(c, fr), node(c, sr)]);
        if (!(fn & 1)) while (fn !== 0 && !(fn & 1)) { fn >>= 1; sn >>= 1; }
      } else both = Promise.all([Promise.resolve(fr), node(sr, c)]);
      fn >>= 1; sn >>= 1;
      return both.then(function (x) { return step(x[0], x[1]); });
    }
    return Promise.resolve(step(path[0], path[0]));
  }
  /* The sheet's tree head (&t=SIZE-ROOT16): its version's leaf is the last of that tree, and
     that tree is a prefix of the head the county signed (proofs from the page's data file). */
  function checkHead(t, fp) {
    var m = /^([0-9]+)-([0-9a-f]{16})$/.exec(t || "");
    if (!m || !proofs) return;
    var size = parseInt(m[1], 10), line = document.createElement("p");
    line.id = "sl-head-result";
    box.insertBefore(line, box.children[2] || null);
    var ev = proofs;
    var v = null;
    for (var i = 0; i < ev.versions.length; i++) if (ev.versions[i].seq === size) v = ev.versions[i];
    function verdict(ok) {
      line.setAttribute("data-state", ok ? "match" : "mismatch");
      line.className = ok ? "sl-ok" : "sl-bad";
      var who = ev.witnesses.length ? "，见证人：" + ev.witnesses.join("、") : "";
      line.textContent = ok
        ? "记录树头一致：这张纸质公示是公开记录第 " + size + " 条（记录树头 " + size + " · " + m[2] + "），仍包含在" + (ev.signed ? "县里签名的" : "现在的") + "记录树头（" + ev.size + " 条）中" + who + "。之前的记录没有被改写。"
        : "记录树头不一致：纸质公示上的记录树头 " + size + " · " + m[2] + " 不在现在的公开记录中，公开记录可能被改写过。请以纸质公示为准，并向下列电话反映。";
      if (!ok) showTruth();
    }
    if (!v || String(JSON.parse(v.line).fingerprint).indexOf(fp) !== 0) { verdict(false); return; }
    var path = v.path.map(b64bytes), cons = v.consistency.map(b64bytes), target = b64bytes(ev.root);
    sha(cat([new Uint8Array([0]), enc.encode(v.line)])).then(function (leaf) {
      return inclusionRoot(leaf, size - 1, size, path);
    }).then(function (root) {
      if (!root || hex(root).indexOf(m[2]) !== 0) return false;
      return consistent(size, ev.size, root, target, cons);
    }).then(verdict, function () { verdict(false); });
  }

  if (!subtle || !window.Promise || !window.fetch) {
    say(false, "本浏览器无法自动核对。请对照纸质公示上的指纹逐字核对本页下方的指纹；有不同，以纸质公示为准。");
    return;
  }
  /* the bytes of each top-level member's value, verbatim (a scan of the JSON: strings are
     skipped with their escapes, so nothing inside a value can pass for a key) */
  function members(file) {
    var spans = {}, depth = 0, str = false, key = null, from = -1, k0 = -1, i, c;
    for (i = 0; i < file.length; i++) {
      c = file[i];
      if (str) {
        if (c === 92) i++;  /* backslash: the next byte is escaped */
        else if (c === 34) {
          str = false;
          if (depth === 1 && key === null && from < 0) key = new TextDecoder().decode(file.subarray(k0, i));
        }
      } else if (c === 34) {
        str = true;
        if (depth === 1 && key === null && from < 0) k0 = i + 1;
      } else if (c === 58 && depth === 1 && from < 0) from = i + 1;  /* ":" */
      else if (c === 123 || c === 91) depth++;  /* "{" "[" */
      else if ((c === 44 && depth === 1) || ((c === 125 || c === 93) && --depth === 0)) {
        if (key !== null && from >= 0) spans[key] = file.subarray(from, i);
        key = null;
        from = -1;
      }
    }
    return spans;
  }
  /* the v1 record counts only if it holds the v2 one's records: the same but for the names
     (masked in v1; salted in v2) and the corrections (more fields in v2) */
  function core(r) {
    var c = JSON.parse(JSON.stringify(r)), i;
    delete c.corrections;
    for (i = 0; c.assistance && i < c.assistance.length; i++) delete c.assistance[i].name;
    return JSON.stringify(c);
  }
  var domain = enc.encode(box.getAttribute("data-domain"));
  var bytes, spans, domainV1 = "";
  out.hidden = false;
  out.removeAttribute("data-state");
  out.className = "sl-verify-result";
  out.textContent = "正在核对……";
  fetch(box.getAttribute("data-check") || "").then(function (r) {
    if (!r.ok) throw new Error(String(r.status));
    return r.arrayBuffer();
  }).then(function (buf) {
    var file = new Uint8Array(buf);
    var parsed = JSON.parse(new TextDecoder().decode(file));
    proofs = parsed.proofs;
    logged = Array.isArray(parsed.logged) ? parsed.logged : null;
    domainV1 = String(parsed.domain_v1 || "");
    spans = members(file);
    bytes = spans.record;
    return sha(cat([domain, new Uint8Array([0]), bytes]));
  }, function () { return null; }).then(function (d) {
    if (!d) {
      say(false, "无法核对：没有取到本页的公开数据。请对照纸质公示上的指纹逐字核对本页下方的指纹；有不同，以纸质公示为准。");
      box.setAttribute("data-problem", "data");
      return;
    }
    var h = hex(d);
    var data = JSON.parse(new TextDecoder().decode(bytes));
    var record = data.record;  /* fingerprint v2: the records under "record" */
    var badFigures = figures(record);
    var shown = (document.getElementById("sl-fp-shown") || {}).textContent || "";
    shown = shown.replace(/\s/g, "").toLowerCase();
    var declared = box.getAttribute("data-fingerprint") || "";
    var pageOk = badFigures.length === 0 && shown.length >= 32 && h.indexOf(shown) === 0 && declared === h;
    var given = param("fp");
    if (given !== null) given = given.toLowerCase().replace(/[\s:-]/g, "");
    if (!pageOk) {
      say(false, "不一致：本页显示的" + (badFigures.length ? "数字" : "指纹") + "与本页的公开数据算出的结果不符，本页在生成之后被改动过。");
      box.setAttribute("data-problem", badFigures.length ? "figures" : "fingerprint");
      return;
    }
    if (given === null) {
      say(true, "本页自检一致：页面上的数字和指纹都由本页的公开数据重新算出。请再对照纸质公示上的指纹。");
      return;
    }
    if (/^[0-9a-f]{32,64}$/.test(given) && h.indexOf(given) === 0) {
      say(true, "一致：您扫描的纸质公示与本页公开的内容相同（手机已重新计算指纹）。");
      checkHead(param("t"), given);
      return;
    }
    /* a sheet printed before fingerprint v2 carries v1: recomputed from the same file's v1
       bytes, if they hold this page's records */
    var v1 = null;
    try {
      var rec1 = JSON.parse(new TextDecoder().decode(spans.record_v1));
      if (core(rec1) === core(record) && figures(rec1).length === 0) v1 = spans.record_v1;
    } catch (e) { v1 = null; }
    var pending = v1
      ? sha(cat([enc.encode(domainV1), new Uint8Array([0]), v1])).then(hex)
      : Promise.resolve("");
    pending.then(function (h1) {
      if (h1 && /^[0-9a-f]{32,64}$/.test(given) && h1.indexOf(given) === 0) {
        say(true, "一致：您扫描的纸质公示与本页公开的内容相同（按纸质公示所用的第一版指纹，手机已重新计算）。");
        checkHead(param("t"), given);
        return;
      }
      /* another logged version only if this page's own content is a logged version too */
      var own = versionOf(h) || (h1 && versionOf(h1));
      var older = /^[0-9a-f]{32,64}$/.test(given) && own ? versionOf(given) : null;
      say(false, older
        ? "不一致：您扫描的纸质公示是本期的另一个版本（" + older.when + " " + older.what + "，公开记录第 " + older.seq + " 条）。本页显示的是公开记录中的最新版本；各版本和更正见下。"
        : "不一致：纸质公示上的指纹与本页的内容不符。");
      if (older) checkHead(param("t"), given);
    });
  });
})();
