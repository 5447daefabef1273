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
  var hits = null; // Hits of the latest search
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

  /**
   * One query word: the terms it matches, each with its posting list and a
   * weight. A posting list is written best first (docs/search.md: groups of
   * pages by score level, highest first), so `best` finds the word's best
   * pages from the tops of its lists, and only `all` reads them whole.
   */
  function Word(terms, lists, weights) {
    this.terms = terms;
    this.lists = lists;
    this.weights = weights;
    this.found = null;
  }

  /**
   * Every page of the word: for each its best score over the word's terms and
   * the segment of that posting, in arrays indexed by page id (typed arrays: a
   * common word has postings on most pages of a big site), and the ids in the
   * order first met. The decoding is written out, with no call per posting.
   */
  Word.prototype.all = function () {
    if (this.found) return this.found;
    var score = new Float64Array(manifest.pages);
    var head = new Int32Array(manifest.pages);
    var ids = [];
    for (var t = 0; t < this.lists.length; t++) {
      var s = this.lists[t];
      var weight = this.weights[t];
      var n = s.length;
      var i = 0;
      while (i < n) {
        var q = DIGIT[s.charCodeAt(i++)];
        var v = 0;
        var d;
        while ((d = DIGIT[s.charCodeAt(i++)]) < 32) v = v * 32 + d;
        if (!(d < 64) || !(q < 64)) throw new Error('bad index data');
        var count = v * 32 + d - 32;
        var value = SCORE[q] * weight;
        var id = 0;
        for (var k = 0; k < count; k++) {
          v = 0;
          while ((d = DIGIT[s.charCodeAt(i++)]) < 32) v = v * 32 + d;
          if (!(d < 64)) throw new Error('bad index data');
          id += v * 32 + d - 32;
          v = 0;
          while ((d = DIGIT[s.charCodeAt(i++)]) < 32) v = v * 32 + d;
          if (!(d < 64) || id >= score.length) throw new Error('bad index data');
          if (value > score[id]) {
            if (score[id] === 0) ids.push(id);
            score[id] = value;
            head[id] = v * 32 + d - 32;
          }
        }
      }
    }
    return (this.found = { ids: ids, score: score, head: head });
  };

  /**
   * How many pages the words find that `allow` lets through (all when null):
   * those with every word, else those with any, as `combine` has it. The
   * lists are read for page ids alone: `all` without the scores, about half
   * the work.
   */
  function countPages(words, allow) {
    if (words.length === 1 && words[0].found) return only(words[0].found.ids, allow).length;
    var n = manifest.pages;
    var every = new Uint8Array(n); // how many of the words, from the first, a page has
    var any = new Uint8Array(n);
    var several = words.length > 1;
    var withEvery = 0; // pages with every word
    var allowedEvery = 0;
    var allowedAny = 0;
    for (var w = 0; w < words.length; w++) {
      for (var t = 0; t < words[w].lists.length; t++) {
        var s = words[w].lists[t];
        var length = s.length;
        var i = 1; // past the first group's level
        while (i < length) {
          var v = 0;
          var d;
          while ((d = DIGIT[s.charCodeAt(i++)]) < 32) v = v * 32 + d;
          if (!(d < 64)) throw new Error('bad index data');
          var size = v * 32 + d - 32;
          var id = 0;
          for (var k = 0; k < size; k++) {
            v = 0;
            while ((d = DIGIT[s.charCodeAt(i++)]) < 32) v = v * 32 + d;
            id += v * 32 + d - 32;
            while ((d = DIGIT[s.charCodeAt(i++)]) < 32); // the heading
            if (!(d < 64) || id >= n) throw new Error('bad index data');
            if (any[id] === 0) {
              any[id] = 1;
              if (!allow || allow.has(id)) allowedAny++;
            }
            if (several && every[id] === w) {
              every[id] = w + 1;
              if (w + 1 === words.length) {
                withEvery++;
                if (!allow || allow.has(id)) allowedEvery++;
              }
            }
          }
          i++; // past the next group's level
        }
      }
    }
    return withEvery ? allowedEvery : allowedAny;
  }

  /**
   * The word's best `k` pages that `allow` lets through (all when null), as
   * { id, head }, best first and then by id: the same as `all` gives, read
   * only as far down the lists as those pages are.
   */
  Word.prototype.best = function (k, allow) {
    var pages = new Levels(this);
    var out = [];
    for (var level; out.length < k && (level = pages.next());) {
      level.forEach(function (p) { if (!allow || allow.has(p.id)) out.push(p); });
    }
    return out.slice(0, k);
  };

  /**
   * A word's pages level by level from the top: its terms' lists merged, so
   * that each page comes once, at its best score. `next()` gives the pages of
   * the next level, as { id, head } by id, and sets `value` to their score;
   * `bound` is the score of the level after (no page still to come scores
   * more), -1 when none is left.
   */
  function Levels(word) {
    var weights = word.weights;
    this.lists = word.lists.map(function (s, t) {
      return { s: s, i: 0, weight: weights[t], value: -1, count: 0 };
    });
    this.lists.forEach(group);
    this.seen = new Set();
    this.value = -1;
    this.bound = this.top();
  }
  /** Reads the level and size of a list's next group. */
  function group(c) {
    if (c.i >= c.s.length) {
      c.value = -1;
      return;
    }
    var q = DIGIT[c.s.charCodeAt(c.i++)];
    if (!(q < 64)) throw new Error('bad index data');
    c.count = number(c.s, c);
    c.value = SCORE[q] * c.weight;
  }
  Levels.prototype.top = function () {
    var top = -1;
    this.lists.forEach(function (c) { if (c.value > top) top = c.value; });
    return top;
  };
  Levels.prototype.next = function () {
    var top = this.bound;
    if (top < 0) return null;
    var level = [];
    this.lists.forEach(function (c) {
      if (c.value !== top) return;
      for (var id = 0, j = 0; j < c.count; j++) {
        id += number(c.s, c);
        level.push({ id: id, head: number(c.s, c) });
      }
      group(c);
    });
    // A stable sort: of two terms with the same score for a page, the first keeps its segment.
    level.sort(function (a, b) { return a.id - b.id; });
    var seen = this.seen;
    this.value = top;
    this.bound = this.top();
    return level.filter(function (p) {
      if (seen.has(p.id)) return false;
      seen.add(p.id);
      return true;
    });
  };

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
   * Finds the terms of one word: the term equal to it, else the longest term
   * that begins it (an inflection the site never uses finds its stem), and,
   * for the word being typed, terms that begin with it. Resolves with a Word.
   */
  function match(word, typing) {
    var wanted = prefixShards(word, typing);
    var listIn = function (byNumber, t) {
      var terms = byNumber.get(shardOf(t));
      return terms && own(terms, t) ? terms[t] : null;
    };
    return shards(wanted).then(function (loaded) {
      var terms = [];
      var lists = [];
      var weights = [];
      var add = function (t, list, weight) {
        terms.push(t);
        lists.push(list);
        weights.push(weight);
      };
      var longer = function () {
        if (!typing) return;
        var found = [];
        wanted.forEach(function (n) {
          Object.keys(loaded.get(n)).forEach(function (t) {
            if (t.length > word.length && t.lastIndexOf(word, 0) === 0) found.push(t);
          });
        });
        found
          .sort(function (a, b) { return a.length - b.length || (a < b ? -1 : 1); })
          .slice(0, 50)
          .forEach(function (t) { add(t, listIn(loaded, t), 0.7); });
      };
      var list = listIn(loaded, word);
      if (list !== null) {
        add(word, list, 1);
        longer();
        return new Word(terms, lists, weights);
      }
      // A stem that begins the word only counts when the word is no term
      // itself: only then is it an inflection the site never uses (`fravaer`
      // must not find `fra`). Their shards load only then.
      var stems = stemsOf(word);
      return shards(stems.map(shardOf)).then(function (byNumber) {
        for (var k = 0; k < stems.length; k++) {
          var stemList = listIn(byNumber, stems[k]);
          if (stemList !== null) {
            add(stems[k], stemList, 1);
            break;
          }
        }
        longer();
        return new Word(terms, lists, weights);
      });
    });
  }

  /**
   * The word's shard; for the word being typed, from three letters on, also the
   * next two shards when their terms begin with it too.
   */
  function prefixShards(word, typing) {
    var first = shardOf(word);
    var wanted = [first];
    for (var j = first + 1; typing && Array.from(word).length >= 3 && j <= first + 2 &&
      j < manifest.shards.length && manifest.shards[j].lastIndexOf(word, 0) === 0; j++) wanted.push(j);
    return wanted;
  }

  /** The starts of a word that may be its stem: 3 letters or more, at most 5 fewer. */
  function stemsOf(word) {
    var chars = Array.from(word);
    var stems = [];
    for (var n = chars.length - 1; n >= 3 && n >= chars.length - 5; n--) stems.push(chars.slice(0, n).join(''));
    return stems;
  }

  /**
   * The pages of several words: each page's score is the sum of its best
   * posting per word; the pages with every word (else those with any) that
   * the filters allow, with their scores and the segment of their best posting.
   */
  function combine(matches, allow) {
    var n = manifest.pages;
    var score = new Float64Array(n);
    var head = new Int32Array(n);
    var top = new Float64Array(n);
    var words = new Uint16Array(n);
    var any = [];
    var all = [];
    for (var w = 0; w < matches.length; w++) {
      var found = matches[w].all();
      var ids = found.ids;
      var scores = found.score;
      for (var k = 0; k < ids.length; k++) {
        var id = ids[k];
        var s = scores[id];
        if (words[id] === 0) any.push(id);
        if (++words[id] === matches.length) all.push(id);
        score[id] += s;
        if (s > top[id]) {
          top[id] = s;
          head[id] = found.head[id];
        }
      }
    }
    return { ids: only(all.length ? all : any, allow), score: score, head: head };
  }

  /** The highest score a word gives a page: the top level of its best list. */
  function topScore(word) {
    return word.lists.reduce(function (best, s, t) {
      var q = DIGIT[s.charCodeAt(0)];
      return q < 64 ? Math.max(best, SCORE[q] * word.weights[t]) : best;
    }, 0);
  }

  /**
   * The best `k` pages of several words as `combine` ranks them (the sum of
   * each word's best score, pages with every word first), as { id, head },
   * that `allow` lets through; null when no page has every word. Only the
   * other words are read whole: the word with the highest top score leads
   * and is read level by level from the top, and a page it gives counts at
   * once, its other scores known. Reading stops when no page still to come
   * can reach the k-th (Fagin's threshold algorithm), most often after a few
   * levels of a long list.
   */
  function bestOfAll(words, k, allow) {
    var tops = words.map(topScore);
    var lead = tops.indexOf(Math.max.apply(null, tops));
    var found = words.map(function (w, x) { return x === lead ? null : w.all(); });
    var levels = new Levels(words[lead]);
    var best = []; // the best k so far: { id, head, score }, best first
    for (var level; (level = levels.next());) {
      for (var j = 0; j < level.length; j++) {
        var p = level[j];
        if (allow && !allow.has(p.id)) continue;
        // Summed and given a segment as `combine` does, word by word.
        var score = 0;
        var top = 0;
        var head = 0;
        for (var x = 0; x < words.length; x++) {
          var s = x === lead ? levels.value : found[x].score[p.id];
          if (s === 0) break; // a word the page lacks
          score += s;
          if (s > top) {
            top = s;
            head = x === lead ? p.head : found[x].head[p.id];
          }
        }
        if (x === words.length) keep(best, k, p.id, score, head);
      }
      if (best.length === k) {
        // The most a page still to come can score, summed as its score would be.
        var upper = 0;
        for (x = 0; x < words.length; x++) upper += x === lead ? Math.max(levels.bound, 0) : tops[x];
        if (upper < best[k - 1].score) break;
      }
    }
    if (!best.length) return null;
    return best.map(function (b) { return { id: b.id, head: b.head }; });
  }

  /** The ids that `allow` lets through (all when it is null). */
  function only(ids, allow) {
    return allow ? ids.filter(function (id) { return allow.has(id); }) : ids;
  }

  /**
   * Found pages, best first (then by id). `found` is a function that gives
   * them all, { ids, score, head }, called only when needed: for one word,
   * the first page of results (`first`, as { id, head }) is known from the
   * tops of its lists, their number from `count` (a function), and reading
   * the lists whole waits until the reader asks for more. Else the first page is picked from all in one pass; all are
   * sorted only when the reader asks for more, since sorting every page a
   * common word is on takes longer than the rest of the search.
   */
  function Hits(found, first, count) {
    this.found = found;
    this.data = null;
    this.first = first || null;
    this.counted = count || null;
    this.sorted = false;
  }
  Hits.prototype.all = function () {
    if (!this.data) this.data = this.found();
    return this.data;
  };
  Hits.prototype.count = function () {
    if (this.data || !this.counted) return this.all().ids.length;
    if (typeof this.counted === 'function') this.counted = this.counted();
    return this.counted;
  };
  /** The hits from `from` to `to`, as { id, head }. */
  Hits.prototype.slice = function (from, to) {
    if (from === 0 && to <= PAGE_SIZE && !this.sorted) {
      if (!this.first) this.first = this.pick();
      return this.first.slice(from, to);
    }
    var data = this.all();
    var score = data.score;
    if (!this.sorted) {
      data.ids.sort(function (a, b) { return score[b] - score[a] || a - b; });
      this.sorted = true;
    }
    return data.ids.slice(from, to).map(function (id) { return { id: id, head: data.head[id] }; });
  };
  /** The best PAGE_SIZE, in one pass. */
  Hits.prototype.pick = function () {
    var data = this.all();
    var best = [];
    for (var i = 0; i < data.ids.length; i++) {
      var id = data.ids[i];
      keep(best, PAGE_SIZE, id, data.score[id], data.head[id]);
    }
    return best.map(function (b) { return { id: b.id, head: b.head }; });
  };

  /**
   * Keeps page `id` in `best`, the best `k` so far ({ id, score, head }, best
   * first), when it scores higher than a kept one, or the same with a lower id.
   */
  function keep(best, k, id, score, head) {
    var at = best.length;
    while (at > 0 && (score > best[at - 1].score || (score === best[at - 1].score && id < best[at - 1].id))) at--;
    if (at < k) {
      best.splice(at, 0, { id: id, score: score, head: head });
      if (best.length > k) best.pop();
    }
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

  /** The <li> of a result: page entry `p`, at its segment number `heading`. */
  function result(heading, p) {
    var at = 3 * heading + 2 < p.h.length ? 3 * heading : 0;
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

  /**
   * Shows the next PAGE_SIZE hits, each as soon as it and those before it have
   * loaded (one small file each, loaded side by side); `focus` moves focus to
   * the first of them; `shownFirst` is called when the first is on screen.
   */
  function showMore(mine, focus, shownFirst) {
    var next = hits.slice(shown, shown + PAGE_SIZE);
    var items = new Array(next.length); // a result's <li>, or null when its page is gone
    var put = 0;
    var first = null;
    function flush() {
      for (; put < next.length && items[put] !== undefined; put++) {
        if (!items[put]) continue;
        list.append(items[put]);
        if (!first) {
          first = items[put];
          if (shownFirst) shownFirst();
        }
      }
    }
    return Promise.all(next.map(function (hit, i) {
      return page(hit.id).then(function (p) {
        if (mine !== run) return;
        items[i] = p ? result(hit.head, p) : null;
        flush();
      });
    })).then(function () {
      if (mine !== run) return;
      shown += next.length;
      if (focus && first) first.querySelector('a').focus();
    });
  }

  /**
   * After a page of results, whether there are more. For one word this reads
   * its posting lists whole, for the first time: after the results are on
   * screen, so that they do not wait for it.
   */
  function more() {
    moreButton.hidden = shown >= hits.count();
  }

  function search() {
    clearTimeout(timer);
    var mine = ++run;
    var started = performance.now();
    var query = input.value;
    var ws = words(query);
    var selection = chosen();
    if (!manifest) {
      remember(query, selection);
      return;
    }
    if (!ws.length && !Object.keys(selection).length) {
      hits = null;
      list.replaceChildren();
      moreButton.hidden = true;
      say('');
      state('done');
      remember(query, selection);
      return;
    }
    state('busy');
    list.setAttribute('aria-busy', 'true');
    // How long the query takes, from the search to the first result and to all
    // of the first page on screen, and to their number: for benchmarks
    // (tests/browser/query-bench.mjs).
    var took = function (name) {
      box.setAttribute(name, String(Math.round(performance.now() - started)));
    };
    box.removeAttribute('data-first-ms');
    box.removeAttribute('data-ms');
    box.removeAttribute('data-count-ms');
    Promise.all([
      Promise.all(ws.map(function (w, i) { return match(w, i === ws.length - 1); })),
      allowed(selection)
    ]).then(function (r) {
      if (mine !== run) return;
      var matches = r[0];
      var ids = r[1];
      if (ws.length === 1) {
        var word = matches[0];
        hits = new Hits(function () {
          var found = word.all();
          return { ids: only(found.ids, ids), score: found.score, head: found.head };
        }, word.best(PAGE_SIZE, ids), function () { return countPages(matches, ids); });
      } else if (ws.length) {
        hits = new Hits(function () { return combine(matches, ids); }, bestOfAll(matches, PAGE_SIZE, ids),
          function () { return countPages(matches, ids); });
      } else {
        hits = new Hits(function () {
          return { ids: Array.from(ids), score: new Float64Array(manifest.pages), head: new Int32Array(manifest.pages) };
        });
      }
      highlights = ws.slice();
      matches.forEach(function (m) { highlights.push.apply(highlights, m.terms); });
      shown = 0;
      list.replaceChildren();
      return showMore(mine, false, function () { took('data-first-ms'); }).then(function () {
        if (mine !== run) return;
        took('data-ms');
        more();
        list.removeAttribute('aria-busy');
        say(hits.count() ? count(hits.count()) : text('no-results'));
        took('data-count-ms');
        state('done');
        // After the results: changing the address can take a browser some
        // milliseconds, which the reader should not wait for.
        remember(query, selection);
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
    if (manifest) {
      var ws = words(input.value);
      ws.forEach(function (w, i) { match(w, i === ws.length - 1).catch(function () {}); });
    }
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
      if (mine !== run) return;
      more();
      state('done');
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
