/* Sunlight: a period page that checks itself, in the reader's own browser.
 *
 * 1. The record this page was rendered from is in the page (#sl-record: base64 of the canonical
 *    bytes the fingerprint covers). The browser hashes it — SHA-256("sunlight-period-v1\0" ||
 *    bytes), with its own Web Crypto, never a declared attribute.
 * 2. Every figure the page shows (balances, totals, each ledger row, each assistance amount:
 *    cells marked data-sl) is recomputed from that record and compared with the text shown.
 * 3. The hash is compared with the fingerprint the page shows, and with the one the scanned
 *    sheet's link carries (?fp=…).
 * 4. If the link carries the sheet's tree head (&t=SIZE-ROOT), the publication log is fetched
 *    from this site and the RFC 9162 root of its first SIZE entries recomputed: the sheet's
 *    version is proved to be in the log that exists today.
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
  /* RFC 9162 MTH over leaf hashes (a compact range, like builder/audit/merkle.py) */
  function mth(hashes) {
    if (hashes.length === 1) return Promise.resolve(hashes[0]);
    var k = 1;
    while (k * 2 < hashes.length) k *= 2;
    return Promise.all([mth(hashes.slice(0, k)), mth(hashes.slice(k))]).then(function (lr) {
      return sha(cat([new Uint8Array([1]), lr[0], lr[1]]));
    });
  }
  function checkHead(t, fp) {
    var m = /^([0-9]+)-([0-9a-f]{16})$/.exec(t || "");
    if (!m) return;
    var size = parseInt(m[1], 10), line = document.createElement("p");
    line.id = "sl-head-result";
    box.insertBefore(line, box.children[2] || null);
    line.textContent = "正在核对纸质公示上的记录树头 " + size + " · " + m[2] + " ……";
    fetch(box.getAttribute("data-log"), { cache: "no-store" }).then(function (r) {
      if (!r.ok) throw new Error("HTTP " + r.status);
      return r.text();
    }).then(function (text) {
      var lines = text.split("\n").filter(function (l) { return l !== ""; });
      if (lines.length < size) throw new Error("short");
      var own = JSON.parse(lines[size - 1]);
      return Promise.all(lines.slice(0, size).map(function (l) {
        return sha(cat([new Uint8Array([0]), enc.encode(l)]));
      })).then(mth).then(function (root) {
        var ok = hex(root).indexOf(m[2]) === 0 && String(own.fingerprint).indexOf(fp) === 0;
        line.setAttribute("data-state", ok ? "match" : "mismatch");
        line.className = ok ? "sl-ok" : "sl-bad";
        line.textContent = ok
          ? "记录树头一致：这张纸质公示是公开记录第 " + size + " 条，现在的公开记录（共 " + lines.length + " 条）的前 " + size + " 条仍然算出同一个记录树头 " + m[2] + "，之前的记录没有被改写。"
          : "记录树头不一致：现在的公开记录算不出纸质公示上的记录树头，公开记录可能被改写过。请以纸质公示为准，并向下列电话反映。";
        if (!ok) showTruth();
      });
    }).catch(function () {
      line.textContent = "暂时无法下载公开记录，记录树头没有核对（不影响上面的指纹核对）。";
    });
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
