/* Sunlight: a period page that checks itself, in the reader's own browser.
 *
 * 1. The record this page was rendered from is in the page (#sl-record: base64 of the canonical
 *    bytes the fingerprint covers). The browser hashes it — SHA-256("sunlight-period-v1\0" ||
 *    bytes), with its own Web Crypto, never a declared attribute.
 * 2. Every figure the page shows (balances, totals, each ledger row, each assistance amount:
 *    cells marked data-sl) is recomputed from that record and compared with the text shown.
 * 3. The hash is compared with the fingerprint the page shows, and with the one the scanned
 *    sheet's link carries (?fp=…).
 * 4. If the link carries the sheet's tree head (&t=SIZE-ROOT), the RFC 9162 proofs embedded
 *    in the page (#sl-proofs) are verified: the sheet's version is the last leaf of that tree,
 *    and that tree is a prefix of the head the county signed and witnesses cosigned. Nothing
 *    is downloaded; a forged page cannot forge a root that matches the paper.
 * Any difference shows the truth (#sl-mismatch): the posted sheet is the record.
 */
(function () {
  "use strict";
  var box = document.getElementById("verify");
  var out = document.getElementById("sl-verify-result");
  var rec = document.getElementById("sl-record");
  if (!box || !out || !rec) return;
  var subtle = window.crypto && window.crypto.subtle;
  var enc = new TextEncoder();

  function say(ok, text) {
    out.hidden = false;
    out.setAttribute("data-state", ok ? "match" : "mismatch");
    out.className = "sl-verify-result " + (ok ? "sl-ok" : "sl-bad");
    out.textContent = text;
    if (!ok) showTruth();
  }
  function showTruth() {  /* the truth goes right under the verdict, at the top of the page */
    var mm = document.getElementById("sl-mismatch");
    if (!mm) return;
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
  function figures(data) {
    var want = {}, inc = 0, exp = 0, i;
    var oc = cents(data.opening.cash), ob = cents(data.opening.bank);
    var cc = cents(data.closing.cash), cb = cents(data.closing.bank);
    want.opening = yuan(oc + ob);
    want.closing = yuan(cc + cb);
    want["opening-split"] = "现金 " + yuan(oc) + " · 银行 " + yuan(ob);
    want["closing-split"] = "现金 " + yuan(cc) + " · 银行 " + yuan(cb);
    for (i = 0; i < data.ledger.length; i++) {
      var r = data.ledger[i], ri = cents(r.income), re = cents(r.expense);
      want["l" + i + "i"] = yuan(ri);
      want["l" + i + "e"] = yuan(re);
      if (ri != null) inc += ri;
      if (re != null) exp += re;
    }
    want.income = yuan(inc);
    want.expense = yuan(exp);
    for (i = 0; i < data.assistance.length; i++) want["a" + i] = yuan(cents(data.assistance[i].amount));
    var bad = [], seen = {}, cells = document.querySelectorAll("[data-sl]");
    for (i = 0; i < cells.length; i++) {
      var key = cells[i].getAttribute("data-sl"), node = cells[i].firstChild;
      var shown = node && node.nodeType === 3 ? node.nodeValue.trim() : "";
      seen[key] = true;
      if (!(key in want) || want[key] !== shown) bad.push(key);
    }
    for (var k in want) if (!seen[k]) bad.push(k);
    var rows = document.querySelectorAll(".sl-ledger tbody tr").length;
    if (rows !== data.ledger.length) bad.push("rows");
    return bad;
  }
  function versionOf(fp) {
    var items = document.querySelectorAll("#sl-versions li[data-fp]");
    for (var i = 0; i < items.length; i++) {
      if (items[i].getAttribute("data-fp").indexOf(fp) === 0) return items[i];
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
     that tree is a prefix of the head the county signed (proofs embedded, nothing fetched). */
  function checkHead(t, fp) {
    var m = /^([0-9]+)-([0-9a-f]{16})$/.exec(t || "");
    var blob = document.getElementById("sl-proofs");
    if (!m || !blob) return;
    var size = parseInt(m[1], 10), line = document.createElement("p");
    line.id = "sl-head-result";
    box.insertBefore(line, box.children[2] || null);
    var ev = JSON.parse(new TextDecoder().decode(b64bytes(blob.textContent.trim())));
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

  if (!subtle || !window.Promise) {
    say(false, "本浏览器无法自动核对。请对照纸质公示上的指纹逐字核对本页下方的指纹；有不同，以纸质公示为准。");
    return;
  }
  var raw = atob(rec.textContent.trim()), bytes = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  var domain = enc.encode(box.getAttribute("data-domain"));
  sha(cat([domain, new Uint8Array([0]), bytes])).then(function (d) {
    var h = hex(d);
    var data = JSON.parse(new TextDecoder().decode(bytes));
    var badFigures = figures(data);
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
    var older = /^[0-9a-f]{32,64}$/.test(given) ? versionOf(given) : null;
    say(false, older
      ? "不一致：您扫描的纸质公示是本期的另一个版本（" + older.textContent + "）。本页显示的是公开记录中的最新版本；各版本和更正见下。"
      : "不一致：纸质公示上的指纹与本页的内容不符。");
    if (older) checkHead(param("t"), given);
  });
})();
