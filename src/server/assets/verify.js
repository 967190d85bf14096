// verify.js - check in the browser, with Web Crypto only, that a log entry
// is included under a signed checkpoint of the transparency log.
//
// Reads the widget rendered by web_log.c (section#verify): the verifier key
// (data-vkey, "name+keyid+base64(0x01||pubkey)"), the entry (textarea
// #verify-entry, the exact bytes the log holds, as text) and the proof JSON
// (textarea #verify-proof: index, tree_size, hashes, and the checkpoint
// it was made against; without one, /log/checkpoint is fetched).  Steps:
// the checkpoint's Ed25519 signature by that key, its size against the
// proof's, then the RFC 6962 leaf hash SHA-256(0x00 || entry) folded up the
// inclusion path with SHA-256(0x01 || left || right) to the checkpoint's
// root.  The outcome goes to #verify-result with data-status ok|fail and
// data-reason naming the step that failed.  Then, when the page names
// witnesses (data-witnesses), the checkpoint's cosignatures by them are
// verified (cosignature/v1) and listed in #verify-cosigs (data-count; one
// li[data-witness][data-time] each).
(function () {
  'use strict';
  var box = document.getElementById('verify');
  if (!box) return;
  var form = document.getElementById('verify-form');
  var out = document.getElementById('verify-result');
  var enc = new TextEncoder();

  function msg(key) {
    return box.getAttribute('data-msg-' + key) || key;
  }

  function b64bytes(s) {
    var bin = atob(s.trim());
    var a = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) a[i] = bin.charCodeAt(i);
    return a;
  }

  function concat() {
    var n = 0, i;
    for (i = 0; i < arguments.length; i++) n += arguments[i].length;
    var r = new Uint8Array(n), o = 0;
    for (i = 0; i < arguments.length; i++) {
      r.set(arguments[i], o);
      o += arguments[i].length;
    }
    return r;
  }

  function same(a, b) {
    if (a.length !== b.length) return false;
    var d = 0;
    for (var i = 0; i < a.length; i++) d |= a[i] ^ b[i];
    return d === 0;
  }

  function sha256(bytes) {
    return crypto.subtle.digest('SHA-256', bytes).then(function (h) {
      return new Uint8Array(h);
    });
  }

  function Fail(reason, detail) {
    this.reason = reason;
    this.detail = detail || '';
  }

  function show(status, reason, text) {
    out.setAttribute('data-status', status);
    out.setAttribute('data-reason', reason);
    out.textContent = text;
  }

  // "name+hexid+base64(0x01||key)" -> {name, id (4 bytes), key (32 bytes)}
  function parseVkey(v) {
    // the key's base64 may itself hold '+': split at the first two only
    var a = v.indexOf('+'), b = a < 0 ? -1 : v.indexOf('+', a + 1);
    if (a <= 0 || b < 0) throw new Fail('vkey');
    var parts = [v.slice(0, a), v.slice(a + 1, b), v.slice(b + 1)];
    var raw = b64bytes(parts[2]);
    if (raw.length !== 33 || raw[0] !== 1 || !/^[0-9a-f]{8}$/.test(parts[1]))
      throw new Fail('vkey');
    var id = new Uint8Array(4);
    for (var i = 0; i < 4; i++) id[i] = parseInt(parts[1].substr(2 * i, 2), 16);
    return { name: parts[0], id: id, key: raw.slice(1) };
  }

  // Signed note: body lines, a blank line, then "— name base64" lines.
  function parseNote(text) {
    var cut = text.indexOf('\n\n');
    if (cut < 0) throw new Fail('checkpoint');
    var body = text.slice(0, cut + 1);
    var lines = body.split('\n');
    if (lines.length < 4) throw new Fail('checkpoint');
    var size = lines[1];
    if (!/^(0|[1-9][0-9]*)$/.test(size)) throw new Fail('checkpoint');
    var sigs = text.slice(cut + 2).split('\n').filter(function (l) {
      return l.length > 0;
    }).map(function (l) {
      var m = /^\u2014 (\S+) (\S+)$/.exec(l);
      if (!m) throw new Fail('checkpoint');
      return { name: m[1], blob: b64bytes(m[2]) };
    });
    return { body: body, origin: lines[0], size: Number(size),
             root: b64bytes(lines[2]), sigs: sigs };
  }

  function checkSignature(note, vk) {
    var sig = null;
    note.sigs.forEach(function (s) {
      if (s.name === vk.name && s.blob.length === 68 &&
          same(s.blob.slice(0, 4), vk.id))
        sig = s.blob.slice(4);
    });
    if (!sig) return Promise.reject(new Fail('signature'));
    return crypto.subtle.importKey('raw', vk.key, { name: 'Ed25519' }, false,
                                   ['verify'])
      .then(function (key) {
        return crypto.subtle.verify({ name: 'Ed25519' }, key, sig,
                                    enc.encode(note.body));
      }, function () { throw new Fail('crypto'); })
      .then(function (ok) {
        if (!ok) throw new Fail('signature');
      });
  }

  // The witnesses' keys (data-witnesses: their type-0x01 vkeys; the
  // cosignature key ID is SHA-256(name || "\n" || 0x04 || key)[:4], per
  // c2sp.org/tlog-cosignature) -> the cosignature/v1 lines of note that
  // verify, one per witness, none dated more than 5 minutes ahead of this
  // browser's clock: [{name, time (BigInt seconds)}].
  function witnessKeys() {
    return (box.getAttribute('data-witnesses') || '').split(' ')
      .filter(Boolean);
  }

  function checkCosigs(note) {
    var found = [];
    var now = BigInt(Math.floor(Date.now() / 1000)) + 300n;
    function one(w, cid, s) {
      var t = 0n;
      for (var i = 4; i < 12; i++) t = t * 256n + BigInt(s.blob[i]);
      if (t > now) return Promise.resolve(false);
      var m = enc.encode('cosignature/v1\ntime ' + t.toString() + '\n' +
                         note.body);
      return crypto.subtle.importKey('raw', w.key, { name: 'Ed25519' },
                                     false, ['verify'])
        .then(function (k) {
          return crypto.subtle.verify({ name: 'Ed25519' }, k,
                                      s.blob.slice(12), m);
        }).then(function (ok) {
          if (ok) found.push({ name: w.name, time: t });
          return ok;
        }, function () { return false; });
    }
    return witnessKeys().reduce(function (p, v) {
      return p.then(function () {
        var w;
        try { w = parseVkey(v); } catch (e) { return null; }
        return sha256(concat(enc.encode(w.name + '\n'), new Uint8Array([4]),
                             w.key)).then(function (h) {
          var cid = h.slice(0, 4);
          return note.sigs.filter(function (s) {
            return s.name === w.name && s.blob.length === 76 &&
              same(s.blob.slice(0, 4), cid);
          }).reduce(function (q, s) {
            return q.then(function (done) { return done || one(w, cid, s); });
          }, Promise.resolve(false));
        });
      });
    }, Promise.resolve()).then(function () { return found; });
  }

  // A proof may carry the bare checkpoint: the one /log/checkpoint serves
  // has the same text and the cosignatures collected since.
  function cosigsOf(note) {
    return checkCosigs(note).then(function (f) {
      if (f.length) return f;
      return fetch('/log/checkpoint', { credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.text() : ''; })
        .then(function (t) {
          var served;
          try { served = parseNote(t); } catch (e) { return f; }
          return served.body === note.body ? checkCosigs(served) : f;
        }, function () { return f; });
    });
  }

  function showCosigs(f) {
    var div = document.getElementById('verify-cosigs');
    if (!div) return;
    div.hidden = f === null;
    if (f === null) return;
    div.setAttribute('data-count', String(f.length));
    div.querySelector('p').textContent = f.length
      ? msg('cosigned').replace('{n}', String(f.length)) : msg('uncosigned');
    var ul = div.querySelector('ul');
    ul.textContent = '';
    f.forEach(function (c) {
      var li = document.createElement('li');
      li.setAttribute('data-witness', c.name);
      li.setAttribute('data-time', c.time.toString());
      var name = document.createElement('bdi');
      name.setAttribute('dir', 'ltr');
      name.textContent = c.name;
      var when = document.createElement('time');
      var iso = new Date(Number(c.time) * 1000).toISOString()
        .replace(/\.000Z$/, 'Z');
      when.setAttribute('datetime', iso);
      when.textContent = iso;
      li.appendChild(name);
      li.appendChild(document.createTextNode(' \u2014 '));
      li.appendChild(when);
      ul.appendChild(li);
    });
  }

  // RFC 9162 2.1.3.2: the root implied by a leaf hash and its path.
  function rootFromPath(index, size, leaf, path) {
    if (index >= size) return Promise.reject(new Fail('path'));
    var fn = index, sn = size - 1, r = leaf, i = 0;
    function step() {
      if (i === path.length) {
        if (sn !== 0) throw new Fail('path');
        return r;
      }
      var p = path[i++];
      if (sn === 0) throw new Fail('path');
      var next;
      if (fn % 2 === 1 || fn === sn) {
        next = sha256(concat(new Uint8Array([1]), p, r));
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        next = sha256(concat(new Uint8Array([1]), r, p));
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
      return next.then(function (h) { r = h; return step(); });
    }
    return Promise.resolve().then(step);
  }

  function verify() {
    var proof, note, vk;
    try {
      proof = JSON.parse(document.getElementById('verify-proof').value);
    } catch (e) {
      return Promise.reject(new Fail('proof'));
    }
    if (typeof proof !== 'object' || proof === null ||
        !Number.isSafeInteger(proof.index) ||
        !Number.isSafeInteger(proof.tree_size) ||
        !Array.isArray(proof.hashes) ||
        (proof.checkpoint !== undefined && typeof proof.checkpoint !== 'string'))
      return Promise.reject(new Fail('proof'));
    var path;
    try {
      vk = parseVkey(box.getAttribute('data-vkey') || '');
      path = proof.hashes.map(b64bytes);
    } catch (e) {
      return Promise.reject(e instanceof Fail ? e : new Fail('proof'));
    }
    var entry = enc.encode(document.getElementById('verify-entry').value);
    // The proof names the checkpoint it was made against; a bare proof is
    // checked against the log's current one.
    var noteText = typeof proof.checkpoint === 'string'
      ? Promise.resolve(proof.checkpoint)
      : fetch('/log/checkpoint', { credentials: 'same-origin' })
          .then(function (r) {
            if (!r.ok) throw new Fail('fetch');
            return r.text();
          });
    return noteText.then(function (text) {
      note = parseNote(text);
      if (note.origin !== vk.name) throw new Fail('origin');
      return checkSignature(note, vk);
    }).then(function () {
      if (note.size !== proof.tree_size) throw new Fail('size');
      return sha256(concat(new Uint8Array([0]), entry));
    }).then(function (leaf) {
      return rootFromPath(proof.index, proof.tree_size, leaf, path);
    }).then(function (root) {
      if (!same(root, note.root)) throw new Fail('root');
      return { index: proof.index, size: note.size, note: note };
    });
  }

  function run(ev) {
    if (ev) ev.preventDefault();
    show('running', '', msg('running'));
    showCosigs(null);
    verify().then(function (r) {
      show('ok', '', msg('ok').replace('{index}', String(r.index))
                               .replace('{size}', String(r.size)));
      // the witnesses' cosignatures of the checkpoint, when this node
      // names witnesses
      if (witnessKeys().length) cosigsOf(r.note).then(showCosigs);
    }, function (e) {
      var reason = e instanceof Fail ? e.reason : 'crypto';
      show('fail', reason, msg('fail') + ' ' + msg(reason));
    });
  }

  function fetchProof() {
    var id = document.getElementById('verify-id').value.trim();
    var ver = document.getElementById('verify-version').value.trim();
    if (!/^[A-Z0-9_-]{1,31}$/.test(id)) {
      show('fail', 'fetch', msg('fail') + ' ' + msg('fetch'));
      return;
    }
    // evaluation runs (EVAL-...) have proofs of their own, unversioned
    var url = /^EVAL-/.test(id)
      ? '/api/v1/evaluations/' + encodeURIComponent(id) + '/proof'
      : '/api/v1/records/' + encodeURIComponent(id) + '/proof' +
        (/^[1-9][0-9]*$/.test(ver) ? '?version=' + ver : '');
    show('running', '', msg('running'));
    fetch(url, { credentials: 'same-origin' }).then(function (r) {
      if (!r.ok) throw new Fail('fetch');
      return r.json();
    }).then(function (p) {
      var bytes = b64bytes(p.entry || '');
      document.getElementById('verify-entry').value =
        new TextDecoder('utf-8').decode(bytes);
      document.getElementById('verify-proof').value =
        JSON.stringify(p, null, 2);
      show('', '', msg('fetched'));
    }).catch(function (e) {
      var reason = e instanceof Fail ? e.reason : 'fetch';
      show('fail', reason, msg('fail') + ' ' + msg(reason));
    });
  }

  form.addEventListener('submit', run);
  var fb = document.getElementById('verify-fetch');
  if (fb) fb.addEventListener('click', fetchProof);
  if (box.getAttribute('data-autorun') === '1' &&
      document.getElementById('verify-proof').value.trim())
    run();
})();
