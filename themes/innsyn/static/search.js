/*
 * innsyn search: runs in the browser, with no server, from an index built with
 * the site (docs/search.md). Index files are .js files that call
 * innsynSearch.register(key, data); they are loaded with <script> elements, not
 * fetch, so that search works from file:// too, and a query loads only the
 * term shards it needs and one small file per result it shows. Text from the index is only ever put into the
 * page with textContent and text nodes, never as HTML.
 */
(function () {
  'use strict';

  // key -> { p: Promise, ok, fail, done, script }
  var files = {};
  function entry(key) {
    var e = files[key];
    if (!e) {
      e = files[key] = {};
      e.p = new Promise(function (ok, fail) { e.ok = ok; e.fail = fail; });
    }
    return e;
  }
  window.innsynSearch = {
    register: function (key, data) {
      var e = entry(key);
      e.done = true;
      e.ok(data);
    }
  };

  var script = document.currentScript || document.querySelector('script[src$="search.js"]');
  var box = document.getElementById('innsyn-search');
  if (!script || !box) return; // search.js on a page without the search UI: nothing to do
  var root = new URL('./', script.src); // search.js sits at the site root
  var base = new URL('search/', script.src);

  /** Loads `search/<file>.js` once; resolves with the data it registers as `key`. */
  function load(key, file) {
    var e = entry(key);
    if (!e.script && !e.done) {
      var s = e.script = document.createElement('script');
      s.src = new URL(file + '.js', base).href;
      s.onerror = function () { e.fail(new Error('could not load ' + s.src)); };
      s.onload = function () { if (!e.done) e.fail(new Error(s.src + ' registered no ' + key)); };
      document.head.appendChild(s);
    }
    return e.p;
  }

  var $ = function (id) { return document.getElementById('innsyn-search-' + id); };
  var input = $('q');
  var statusEl = $('status');
  var list = $('results');
  var moreButton = $('more');
  var filtersEl = $('filters');
  var text = function (name) { return box.getAttribute('data-i18n-' + name) || ''; };
  var PAGE_SIZE = 10;
  var manifest = null;
  var types = {};
  var hits = [];
  var shown = 0;
  var highlights = [];
  var run = 0; // the number of the latest search; older ones drop their results
  var timer = 0;

  // ---- Words and terms ---------------------------------------------------

  // Folding as the indexer does it (src/search/text.rs): å→aa, æ/ä→ae, ø/ö→oe,
  // and these accented letters to their base letter.
  var FOLD = { 'å': 'aa', 'æ': 'ae', 'ä': 'ae', 'ø': 'oe', 'ö': 'oe' };
  'aáàâã eéèêë iíìîï oóòôõ uúùûü cçč sš zž dđ nŋñ tŧ'.split(' ').forEach(function (g) {
    for (var i = 1; i < g.length; i++) FOLD[g[i]] = g[0];
  });
  function fold(s) {
    return s.normalize('NFC').toLowerCase().replace(/[^a-z0-9]/gu, function (c) { return FOLD[c] || c; });
  }

  // Words as the indexer splits them (Unicode word boundaries, so `2.5`,
  // `asker.kommune.no` and `a_b` are one word each), where the browser can.
  var segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: 'word' }) : null;
  function eachWord(text, f) {
    if (segmenter) {
      for (var s of segmenter.segment(text)) if (s.isWordLike) f(s.segment, s.index);
    } else {
      text.replace(/[\p{L}\p{M}\p{N}]+/gu, function (w, at) { f(w, at); return w; });
    }
  }

  /** The query's words, folded, without repeats; one letter alone is no word. */
  function words(query) {
    var out = [];
    // A number written with spaces between groups of three (`2 045`) is one word.
    eachWord(query.replace(/(\d)[ \u00a0\u202f](?=\d{3}(?!\d))/g, '$1'), function (w) {
      var lower = w.toLowerCase();
      w = fold(w);
      if ((Array.from(lower).length > 1 || /^\d+$/.test(lower)) && out.indexOf(w) < 0) out.push(w);
    });
    return out;
  }

  // ---- The index's encoding (docs/search.md) -------------------------------

  // Base-32 digits: values 0-31 go on, 32-63 end a number; a score is one digit
  // 0-63 standing for 0.05 × 1.115^digit.
  var ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  var DIGIT = new Int8Array(128).fill(64);
  var SCORE = [];
  for (var d = 0; d < 64; d++) {
    DIGIT[ALPHABET.charCodeAt(d)] = d;
    SCORE.push(0.05 * Math.pow(1.115, d));
  }
  /** Reads the number at `at.i` of `s` and moves past it. */
  function number(s, at) {
    var n = 0;
    for (;;) {
      var d = DIGIT[s.charCodeAt(at.i++)];
      if (!(d < 64) || at.i > s.length) throw new Error('bad index data');
      if (d >= 32) return n * 32 + d - 32;
      n = n * 32 + d;
    }
  }
  /** Calls f(page id, score, heading) for each posting of a term. */
  function eachPosting(s, f) {
    var at = { i: 0 };
    var id = 0;
    while (at.i < s.length) {
      id += number(s, at);
      var score = SCORE[DIGIT[s.charCodeAt(at.i++)]];
      f(id, score || 0, number(s, at));
    }
  }
  /** The page ids of a filter value. */
  function ids(s) {
    var at = { i: 0 };
    var out = [];
    for (var id = 0; at.i < s.length;) out.push(id += number(s, at));
    return out;
  }

  /** The shard a term is in: the last whose boundary sorts at or before it. */
  function shardOf(term) {
    var starts = manifest.shards;
    var lo = 0;
    var hi = starts.length;
    while (lo < hi) {
      var mid = (lo + hi) >> 1;
      if (starts[mid] <= term) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(lo - 1, 0);
  }

  var own = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };

  /** Loads shards by number; resolves with a map from number to terms. */
  function shards(numbers) {
    var unique = numbers.filter(function (n, i) { return numbers.indexOf(n) === i; });
    return Promise.all(unique.map(function (n) {
      return load('t:' + n, 't/' + n).catch(function () { return {}; });
    })).then(function (loaded) {
      var byNumber = new Map();
      unique.forEach(function (n, i) { byNumber.set(n, loaded[i]); });
      return byNumber;
    });
  }

  /**
   * Finds the pages for one word: the term equal to it, the longest term that
   * begins it (an inflection the site never uses finds its stem), and, for the
   * word being typed, terms that begin with it. Resolves with
   * { terms, best: Map(page id -> { s: score, h: heading }) }.
   */
  function match(word, typing) {
    var chars = Array.from(word);
    var first = shardOf(word);
    // The word's shard; for the word being typed, from three letters on, also
    // the next two shards when their terms begin with it too.
    var wanted = [first];
    for (var j = first + 1; typing && chars.length >= 3 && j <= first + 2 && j < manifest.shards.length &&
      manifest.shards[j].lastIndexOf(word, 0) === 0; j++) wanted.push(j);
    var stems = [];
    for (var n = chars.length - 1; n >= 3 && n >= chars.length - 5; n--) stems.push(chars.slice(0, n).join(''));
    var loaded;
    var postingsOf = function (t) {
      var terms = loaded.get(shardOf(t));
      return terms && own(terms, t) ? terms[t] : null;
    };
    // The shards of the stems that may begin the word load at the same time (in
    // one round, not two): nearly always the word's own shard or the one before.
    return shards(wanted.concat(stems.map(shardOf))).then(function (byNumber) {
      loaded = byNumber;
      var found = [];
      // A stem that begins the word only counts when the word is no term itself:
      // only then is it an inflection the site never uses (`fravaer` must not
      // find `fra`).
      if (postingsOf(word) !== null) found.push([word, 1]);
      else {
        var stem = stems.filter(function (s) { return postingsOf(s) !== null; })[0];
        if (stem) found.push([stem, 1]);
      }
      if (typing) {
        var longer = [];
        wanted.forEach(function (n) {
          Object.keys(loaded.get(n)).forEach(function (t) {
            if (t.length > word.length && t.lastIndexOf(word, 0) === 0) longer.push(t);
          });
        });
        longer
          .sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1); })
          .slice(0, 50)
          .forEach(function (t) { found.push([t, 0.7]); });
      }
      var best = new Map();
      found.forEach(function (f) {
        eachPosting(postingsOf(f[0]), function (id, score, heading) {
          score *= f[1];
          var b = best.get(id);
          if (!b || score > b.s) best.set(id, { s: score, h: heading });
        });
      });
      return { terms: found.map(function (f) { return f[0]; }), best: best };
    });
  }

  /** Sums each page's best posting per word: pages with every word, else any. */
  function combine(matches) {
    var pages = new Map();
    matches.forEach(function (m) {
      m.best.forEach(function (p, id) {
        var a = pages.get(id);
        if (!a) pages.set(id, a = { id: id, s: 0, n: 0, h: 0, top: -1 });
        a.s += p.s;
        a.n++;
        if (p.s > a.top) { a.top = p.s; a.h = p.h; }
      });
    });
    var any = Array.from(pages.values());
    var all = any.filter(function (a) { return a.n === matches.length; });
    return all.length ? all : any;
  }

  /** The chosen filter values, by filter name. */
  function chosen() {
    var out = {};
    filtersEl.querySelectorAll('input:checked').forEach(function (c) {
      (out[c.name] = out[c.name] || []).push(c.value);
    });
    return out;
  }

  /** Page ids allowed by the filters (OR within one, AND across), or null for all. */
  function allowed(selection) {
    var names = Object.keys(selection);
    if (!names.length) return Promise.resolve(null);
    return Promise.all(names.map(function (name) {
      var filter = manifest.filters.filter(function (f) { return f.name === name; })[0];
      return Promise.all(selection[name].map(function (value) {
        var v = filter.values.filter(function (x) { return x.value === value; })[0];
        return load('f:' + v.file, 'f/' + v.file);
      })).then(function (lists) {
        var set = new Set();
        lists.forEach(function (list) { ids(list).forEach(function (id) { set.add(id); }); });
        return set;
      });
    })).then(function (sets) {
      return sets.reduce(function (a, b) {
        return new Set(Array.from(a).filter(function (id) { return b.has(id); }));
      });
    });
  }

  function page(id) {
    return load('p:' + id, 'p/' + id);
  }

  // ---- Showing results ---------------------------------------------------

  function el(tag, className, content) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (content) e.textContent = content;
    return e;
  }

  /** The address of a page from this page: under the site root, index.html offline. */
  function href(p, anchor) {
    var path = p.u.charAt(0) === '/' ? p.u : (manifest.sections[p.s] || { u: '/' }).u + p.u;
    var url = new URL(path.replace(/^\/+/, ''), root);
    if (url.protocol === 'file:' && /\/$/.test(url.pathname)) url.pathname += 'index.html';
    if (anchor) url.hash = anchor;
    return url.href;
  }

  /** Appends `excerpt` to `parent` as text, with the words that matched in <mark>. */
  function highlight(parent, excerpt) {
    var last = 0;
    eachWord(excerpt, function (w, at) {
      var f = fold(w);
      var hit = highlights.some(function (t) {
        return f.lastIndexOf(t, 0) === 0 || (t.length > 3 && f.indexOf(t) > 0);
      });
      if (hit) {
        parent.append(excerpt.slice(last, at), el('mark', '', w));
        last = at + w.length;
      }
    });
    parent.append(excerpt.slice(last));
  }

  function result(hit, p) {
    var at = 3 * hit.h + 2 < p.h.length ? 3 * hit.h : 0;
    var section = p.h.slice(at, at + 3);
    // Anchor 0: the heading in lower case with `-` for spaces.
    if (section[0] === 0) section[0] = section[1].toLowerCase().replace(/ /g, '-');
    var lang = p.l || manifest.lang;
    var li = el('li', 'search-result');
    if (lang !== document.documentElement.lang) li.lang = lang;
    var title = el('h2', 'search-result-title');
    var a = el('a', '', p.t);
    a.href = href(p, section[0]);
    title.append(a);
    var meta = el('p', 'search-result-meta');
    var sectionTitle = (manifest.sections[p.s] || {}).t;
    if (sectionTitle) meta.append(el('span', 'search-result-section', sectionTitle));
    if (types[p.y]) meta.append(el('span', 'search-result-type', types[p.y]));
    var statuses = manifest.statuses[lang] || {};
    if (p.st && statuses[p.st]) meta.append(el('span', 'status-badge status-' + p.st, statuses[p.st]));
    li.append(title);
    if (meta.firstChild) li.append(meta);
    if (at > 0 && section[1]) li.append(el('p', 'search-result-heading', section[1]));
    if (section[2]) {
      var excerpt = el('p', 'search-result-excerpt');
      highlight(excerpt, section[2]);
      li.append(excerpt);
    }
    return li;
  }

  function say(message) {
    statusEl.textContent = message;
  }

  /** `busy` while a search waits or runs, then `done` (or `error`): for tests and styles. */
  function state(s) {
    box.setAttribute('data-state', s);
  }

  function count(n) {
    return n === 1 ? text('results-one') : text('results').replace('{n}', n);
  }

  /** Shows the next PAGE_SIZE hits; `focus` moves focus to the first of them. */
  function showMore(mine, focus) {
    var next = hits.slice(shown, shown + PAGE_SIZE);
    return Promise.all(next.map(function (h) { return page(h.id); })).then(function (pages) {
      if (mine !== run) return;
      var first = null;
      pages.forEach(function (p, i) {
        if (!p) return;
        var li = result(next[i], p);
        first = first || li;
        list.append(li);
      });
      shown += next.length;
      moreButton.hidden = shown >= hits.length;
      if (focus && first) first.querySelector('a').focus();
    });
  }

  function search() {
    clearTimeout(timer);
    var mine = ++run;
    var started = performance.now();
    var query = input.value;
    var ws = words(query);
    var selection = chosen();
    remember(query, selection);
    if (!manifest) return;
    if (!ws.length && !Object.keys(selection).length) {
      hits = [];
      list.replaceChildren();
      moreButton.hidden = true;
      say('');
      state('done');
      return;
    }
    state('busy');
    list.setAttribute('aria-busy', 'true');
    Promise.all([
      Promise.all(ws.map(function (w, i) { return match(w, i === ws.length - 1); })),
      allowed(selection)
    ]).then(function (r) {
      if (mine !== run) return;
      var matches = r[0];
      var ids = r[1];
      var found = ws.length
        ? combine(matches).filter(function (a) { return !ids || ids.has(a.id); })
        : Array.from(ids, function (id) { return { id: id, s: 0, h: 0 }; });
      found.sort(function (a, b) { return b.s - a.s || a.id - b.id; });
      highlights = ws.slice();
      matches.forEach(function (m) { highlights.push.apply(highlights, m.terms); });
      hits = found;
      shown = 0;
      list.replaceChildren();
      return showMore(mine, false).then(function () {
        if (mine !== run) return;
        list.removeAttribute('aria-busy');
        say(hits.length ? count(hits.length) : text('no-results'));
        // How long the query took, from the search to results on screen (for benchmarks).
        box.setAttribute('data-ms', String(Math.round(performance.now() - started)));
        state('done');
      });
    }).catch(failed);
  }

  function failed(error) {
    list.removeAttribute('aria-busy');
    say(text('error'));
    state('error');
    if (window.console) console.warn('innsyn search:', error);
  }

  /** Puts the search into the address, so it can be shared and survives reload. */
  function remember(query, selection) {
    var params = new URLSearchParams();
    if (query.trim()) params.set('q', query.trim());
    Object.keys(selection).forEach(function (name) {
      selection[name].forEach(function (v) { params.append(name, v); });
    });
    var s = params.toString();
    try {
      history.replaceState(history.state, '', (s ? '?' + s : location.pathname) + location.hash);
    } catch (e) {
      // Some browsers refuse to change the address of file:// pages; search still works.
    }
  }

  // ---- Filters -----------------------------------------------------------

  function buildFilters(params) {
    manifest.filters.forEach(function (filter) {
      if (!filter.values || !filter.values.length) return;
      var set = el('fieldset', 'search-filter');
      set.append(el('legend', '', filter.title));
      var wanted = params.getAll(filter.name);
      filter.values.forEach(function (v) {
        var label = el('label', 'search-filter-option');
        var box = el('input');
        box.type = 'checkbox';
        box.name = filter.name;
        box.value = v.value;
        box.checked = wanted.indexOf(v.value) >= 0;
        var name = el('span', 'search-filter-label', v.label + ' ');
        name.append(el('span', 'search-filter-count', '(' + v.count + ')'));
        label.append(box, name);
        set.append(label);
      });
      filtersEl.append(set);
    });
    if (filtersEl.querySelector('input')) {
      filtersEl.hidden = false;
      // Open beside the results on wide screens; a tap away on phones.
      if (Object.keys(chosen()).length || window.matchMedia('(min-width: 64rem)').matches) {
        filtersEl.open = true;
      }
    }
  }

  // ---- Keyboard ----------------------------------------------------------

  function links() {
    return Array.from(list.querySelectorAll('.search-result-title a'));
  }

  input.addEventListener('input', function () {
    clearTimeout(timer);
    run++; // a search still under way is out of date now
    state('busy');
    // The words' shards start loading while the reader types on.
    if (manifest) shards(words(input.value).map(shardOf));
    timer = setTimeout(search, 150);
  });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown' && links().length) {
      e.preventDefault();
      links()[0].focus();
    }
  });
  // Enter searches at once and keeps focus in the field; the page does not reload.
  input.form.addEventListener('submit', function (e) {
    e.preventDefault();
    search();
  });
  list.addEventListener('keydown', function (e) {
    var all = links();
    var i = all.indexOf(document.activeElement);
    if (i < 0) return;
    var to = e.key === 'ArrowDown' ? all[i + 1]
      : e.key === 'ArrowUp' ? all[i - 1] || input
      : e.key === 'Escape' ? input : null;
    if (to) {
      e.preventDefault();
      to.focus();
    }
  });
  filtersEl.addEventListener('change', search);
  moreButton.addEventListener('click', function () {
    var mine = run;
    state('busy');
    showMore(mine, true).then(function () {
      if (mine === run) state('done');
    }).catch(failed);
  });

  // ---- Start -------------------------------------------------------------

  var params = new URLSearchParams(location.search);
  input.value = params.get('q') || '';
  load('manifest', 'manifest').then(function (m) {
    manifest = m;
    (m.types || []).forEach(function (t) { types[t.key] = t.label; });
    buildFilters(params);
    search();
  }).catch(failed);
})();
