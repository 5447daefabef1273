/*
 * innsyn search: runs in the browser, with no server, from an index built with
 * the site (docs/search.md). Index files are .js files that call
 * innsynSearch.register(key, data); they are loaded with <script> elements, not
 * fetch, so that search works from file:// too and across sites without CORS
 * headers, and a query loads only the term shards it needs and one small file
 * per result it shows. The search can take in other innsyn sites
 * (`search_sites` in config.toml): each is a Site with its own index. Text
 * from an index is only ever put into the page with textContent and text
 * nodes, never as HTML.
 */
(function () {
  'use strict';

  // 'site|key' -> { p: Promise, ok, fail, done, script }
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
    // The script that is running says which site's index it belongs to.
    register: function (key, data) {
      var s = document.currentScript;
      var e = entry(((s && s.getAttribute('data-site')) || '0') + '|' + key);
      e.done = true;
      e.ok(data);
    }
  };

  var script = document.currentScript || document.querySelector('script[src$="search.js"]');
  var box = document.getElementById('innsyn-search');
  if (!script || !box) return; // search.js on a page without the search UI: nothing to do
  var root = new URL('./', script.src); // search.js sits at the site root

  var $ = function (id) { return document.getElementById('innsyn-search-' + id); };
  var input = $('q');
  var statusEl = $('status');
  var noteEl = $('note');
  var list = $('results');
  var moreButton = $('more');
  var filtersEl = $('filters');
  var text = function (name) { return box.getAttribute('data-i18n-' + name) || ''; };
  var PAGE_SIZE = 10;
  /** How long a site's file may take to load before it counts as failed. */
  var PATIENCE = 10000;
  var SITE_FILTER = 'nettsted';
  /** How long a search waits for other sites' manifests before it goes on without them. */
  var GRACE = 1500;
  var sites = []; // Site, this one first; others as their manifests arrive
  var hits = null; // Results of the latest search
  var highlights = [];
  var groups = [];
  var run = 0; // the number of the latest search; older ones drop their results
  var timer = 0;
  var trouble = null; // what failed to load during the latest search, by site name

  /**
   * One site's index: this site's (number 0) or one named in the manifest's
   * `network`, at `rootUrl`.
   */
  function Site(n, rootUrl, name) {
    this.n = n;
    this.root = rootUrl;
    this.base = new URL('search/', rootUrl);
    this.name = name;
    this.manifest = null;
    this.engine = null;
    this.types = {};
    this.wordSets = {};
  }

  /**
   * Loads `search/<file>.js` of the site once; resolves with the data it
   * registers as `key`. A file that fails (or does not answer in time) is
   * forgotten, so that the next query tries it again.
   */
  Site.prototype.load = function (key, file) {
    var k = this.n + '|' + key;
    var e = entry(k);
    if (!e.script && !e.done) {
      var s = e.script = document.createElement('script');
      s.setAttribute('data-site', String(this.n));
      s.src = new URL(file + '.js', this.base).href;
      var give = function (why) {
        if (e.done || files[k] !== e) return;
        delete files[k];
        s.remove();
        e.fail(new Error(why + ' ' + s.src));
      };
      var late = setTimeout(function () { give('no answer from'); }, PATIENCE);
      s.onerror = function () { clearTimeout(late); give('could not load'); };
      s.onload = function () { clearTimeout(late); give('nothing registered by'); };
      document.head.appendChild(s);
    }
    return e.p;
  };

  /** Notes that a file of `site` failed during the search `mine`. */
  function failedIn(site, mine) {
    if (mine === run && trouble) trouble[site.name || ''] = true;
  }

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

  /**
   * The ranking engine for one site's index: reads its posting lists and
   * ranks its pages (`manifest.pages` of them). tests/browser/ranking.mjs
   * runs this part alone, in node.
   */
  function Engine(manifest) {
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
     * { id, head, score }, best first and then by id: the same as `all` gives, read
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
        p.score = top;
        return true;
      });
    };

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
      return best;
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
    /** The hits from `from` to `to`, as { id, head, score }. */
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
      return data.ids.slice(from, to).map(function (id) { return { id: id, head: data.head[id], score: score[id] }; });
    };
    /** The best PAGE_SIZE, in one pass. */
    Hits.prototype.pick = function () {
      var data = this.all();
      var best = [];
      for (var i = 0; i < data.ids.length; i++) {
        var id = data.ids[i];
        keep(best, PAGE_SIZE, id, data.score[id], data.head[id]);
      }
      return best;
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

    /** The page ids of a filter value. */
    function ids(s) {
      var at = { i: 0 };
      var out = [];
      for (var id = 0; at.i < s.length;) out.push(id += number(s, at));
      return out;
    }

    /** The shard a term is in: the last whose boundary sorts at or before it. */
    function shardOf(starts, term) {
      var lo = 0;
      var hi = starts.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] <= term) lo = mid + 1;
        else hi = mid;
      }
      return Math.max(lo - 1, 0);
    }

    /**
     * The pages the words find, as a mask over page ids (1: found): those
     * with every word, else those with any, as `combine` has it; filters aside.
     */
    function everyOrAny(words) {
      var n = manifest.pages;
      var every = new Uint8Array(n);
      var any = new Uint8Array(n);
      var withEvery = 0;
      for (var w = 0; w < words.length; w++) {
        var found = words[w].all().ids;
        for (var k = 0; k < found.length; k++) {
          var id = found[k];
          any[id] = 1;
          if (every[id] === w) {
            every[id] = w + 1;
            if (w + 1 === words.length) withEvery++;
          }
        }
      }
      if (!withEvery) return any;
      for (var i = 0; i < n; i++) every[i] = every[i] === words.length ? 1 : 0;
      return every;
    }

    // ---- End of the engine
    return {
      Word: Word, countPages: countPages, combine: combine, bestOfAll: bestOfAll, only: only, Hits: Hits,
      ids: ids, number: number, shardOf: shardOf, everyOrAny: everyOrAny
    };
  }

  // ---- Finding a query's words in a site's index ---------------------------

  var own = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };

  /**
   * Loads shards of the site by number; resolves with a map from number to
   * terms. A shard that fails gives no terms, and the search says its results
   * may be incomplete.
   */
  function shards(site, numbers, mine) {
    var unique = numbers.filter(function (n, i) { return numbers.indexOf(n) === i; });
    return Promise.all(unique.map(function (n) {
      return site.load('t:' + n, 't/' + n).catch(function () {
        failedIn(site, mine);
        return {};
      });
    })).then(function (loaded) {
      var byNumber = new Map();
      unique.forEach(function (n, i) { byNumber.set(n, loaded[i]); });
      return byNumber;
    });
  }

  /** The starts of a word that may be its stem: 3 letters or more, at most 5 fewer. */
  function stemsOf(word) {
    var chars = Array.from(word);
    var stems = [];
    for (var n = chars.length - 1; n >= 3 && n >= chars.length - 5; n--) stems.push(chars.slice(0, n).join(''));
    return stems;
  }

  /**
   * Finds the terms of one word in the site's index: the term equal to it,
   * else the longest term that begins it (an inflection the site never uses
   * finds its stem), and, for the word being typed, terms that begin with it.
   * Resolves with a Word, which has no terms when none matched.
   */
  function match(site, word, typing, mine) {
    var engine = site.engine;
    var starts = site.manifest.shards;
    var wanted = prefixShards(starts, word, typing, engine);
    var listIn = function (byNumber, t) {
      var terms = byNumber.get(engine.shardOf(starts, t));
      return terms && own(terms, t) ? terms[t] : null;
    };
    return shards(site, wanted, mine).then(function (loaded) {
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
        return new engine.Word(terms, lists, weights);
      }
      var cut = 0;
      // A stem that begins the word only counts when the word is no term
      // itself: only then is it an inflection the site never uses (`fravaer`
      // must not find `fra`). Their shards load only then.
      var stems = stemsOf(word);
      return shards(site, stems.map(function (s) { return engine.shardOf(starts, s); }), mine).then(function (byNumber) {
        for (var k = 0; k < stems.length; k++) {
          var stemList = listIn(byNumber, stems[k]);
          if (stemList !== null) {
            add(stems[k], stemList, 1);
            cut = Array.from(word).length - Array.from(stems[k]).length;
            break;
          }
        }
        longer();
        // Terms the word being typed begins (`kommunedata` of
        // `kommunedata.regjeringen.no`) are a better reading than a stem that
        // leaves off more than an ending (`kommun`).
        if (cut > 3 && terms.length > 1) {
          terms.shift();
          lists.shift();
          weights.shift();
          cut = 0;
        }
        var found = new engine.Word(terms, lists, weights);
        found.cut = cut; // letters left off to find a stem (0: none)
        return found;
      });
    });
  }

  /**
   * The word's shard; for the word being typed, from three letters on, also the
   * next two shards when their terms begin with it too.
   */
  function prefixShards(starts, word, typing, engine) {
    var first = engine.shardOf(starts, word);
    var wanted = [first];
    for (var j = first + 1; typing && Array.from(word).length >= 3 && j <= first + 2 &&
      j < starts.length && starts[j].lastIndexOf(word, 0) === 0; j++) wanted.push(j);
    return wanted;
  }

  /** The site's words (search/w/) in list `n`, as a Set; an empty one when it fails. */
  function wordList(site, n, mine) {
    if (site.wordSets[n]) return Promise.resolve(site.wordSets[n]);
    return site.load('w:' + n, 'w/' + n).then(function (s) {
      return (site.wordSets[n] = new Set(s ? s.split(' ') : []));
    }, function () {
      failedIn(site, mine);
      return new Set();
    });
  }

  /** The site's words in the lists that hold words beginning with `prefix`, as one Set. */
  function wordsBeginning(site, prefix, mine) {
    var starts = site.manifest.words || [];
    if (!starts.length) return Promise.resolve(new Set());
    var first = site.engine.shardOf(starts, prefix);
    var numbers = [first];
    for (var j = first + 1; j < starts.length && starts[j].lastIndexOf(prefix, 0) === 0; j++) numbers.push(j);
    return Promise.all(numbers.map(function (n) { return wordList(site, n, mine); })).then(function (sets) {
      if (sets.length === 1) return sets[0];
      var all = new Set();
      sets.forEach(function (s) { s.forEach(function (w) { all.add(w); }); });
      return all;
    });
  }

  /**
   * The term of the site a part of a compound stands for, as `match` would
   * find it (the part itself, or the longest of its stems), or null.
   */
  function termOf(known, part) {
    if (known.has(part)) return part;
    // An ending of at most three letters, as a stem leaves it (`behovet` → `behov`).
    var stems = stemsOf(part).slice(0, 3);
    for (var k = 0; k < stems.length; k++) if (known.has(stems[k])) return stems[k];
    return null;
  }

  /**
   * A compound the index does not have, split as the indexer splits the
   * site's own (src/search/mod.rs, compound_parts): into a first and a second
   * part that are both words of the site (a linking `s` or `e` may stand
   * between them), the longest first part winning. Resolves with [first,
   * second] as terms, or null.
   */
  function split(site, word, mine) {
    var chars = Array.from(word);
    if (chars.length < 7 || chars.length > 64 || !/^[a-z]+$/.test(word)) return Promise.resolve(null);
    var heads = [];
    for (var i = chars.length - 4; i >= 3; i--) heads.push(i);
    // The lists that hold the first parts and their stems (they begin as the
    // word does) and the second parts and theirs (each its own first three letters).
    var prefixes = [word.slice(0, 3)];
    heads.forEach(function (at) {
      var p = chars.slice(at, at + 3).join('');
      if (prefixes.indexOf(p) < 0) prefixes.push(p);
    });
    return Promise.all(prefixes.map(function (p) { return wordsBeginning(site, p, mine); })).then(function (sets) {
      var known = new Set();
      sets.forEach(function (s) { s.forEach(function (w) { known.add(w); }); });
      for (var h = 0; h < heads.length; h++) {
        var at = heads[h];
        var head = chars.slice(0, at).join('');
        var tail = chars.slice(at).join('');
        var first = termOf(known, head);
        if (!first && head.length > 4 && /[se]$/.test(head)) first = termOf(known, head.slice(0, -1));
        var second = tail.length >= 4 ? termOf(known, tail) : null;
        if (first && second) {
          // Shown as the words they are: `bemannings` as `bemanning`.
          var shown = /s$/.test(head) && termOf(known, head.slice(0, -1)) === first ? head.slice(0, -1) : head;
          return [first, second, first === termOf(known, head) ? shown : head.slice(0, -1), tail];
        }
      }
      return null;
    });
  }

  /**
   * Whether `a` and `b` are at most one edit apart: one letter added,
   * left out, changed, or two neighbours swapped.
   */
  function oneEdit(a, b) {
    if (a === b) return true;
    var m = a.length;
    var n = b.length;
    if (Math.abs(m - n) > 1) return false;
    var i = 0;
    while (i < m && i < n && a[i] === b[i]) i++;
    if (m === n) {
      return a.slice(i + 1) === b.slice(i + 1) ||
        (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
    }
    return m > n ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
  }

  /**
   * A word of the site one letter away from `word` (five letters or more),
   * which the site does not have: a term that is one edit from the start of
   * the word, with at most three letters of ending left. The word must begin
   * with the right letter. Resolves with { term, shown } (the word as it
   * should have been written), or null.
   */
  function nearest(site, word, mine) {
    var chars = Array.from(word);
    if (chars.length < 5 || !/^[a-z]+$/.test(word)) return Promise.resolve(null);
    return wordsBeginning(site, word[0], mine).then(function (known) {
      var best = null;
      known.forEach(function (t) {
        if (t.length < 4 || Math.abs(t.length - word.length) > 4) return;
        for (var rest = 0; rest <= 3; rest++) {
          var start = word.slice(0, word.length - rest);
          if (start.length < 3 || start === t || !oneEdit(t, start)) continue;
          var better = !best || rest < best.rest || (rest === best.rest && (t.length > best.term.length ||
            (t.length === best.term.length && t < best.term)));
          if (better) best = { term: t, rest: rest, shown: t + word.slice(word.length - rest) };
          break;
        }
      });
      return best;
    });
  }

  /**
   * One word of the query in one site: the Words it stands for there (one,
   * or two for a compound split in parts), and how it was read when not as
   * typed ({ words, shown }).
   */
  function resolve(site, word, typing, mine) {
    return match(site, word, typing, mine).then(function (found) {
      // An ending of up to three letters is an inflection (`barnehagene` →
      // `barnehag`); a stem that leaves off more (`barnhage` → `barn`,
      // `skolebuss` → `skole`) yields to a word one letter away or to a
      // compound's parts.
      if (found.terms.length && !(found.cut > 3)) return { words: [found], shown: null };
      return Promise.all([nearest(site, word, mine), split(site, word, mine)]).then(function (r) {
        var near = r[0];
        var parts = r[1];
        if (near) {
          return match(site, near.term, false, mine).then(function (w) {
            return w.terms.length ? { words: [w], shown: near.shown, terms: [near.term] } : { words: [found], shown: null };
          });
        }
        if (parts) {
          return Promise.all([match(site, parts[0], false, mine), match(site, parts[1], false, mine)]).then(function (ws) {
            if (!ws[0].terms.length || !ws[1].terms.length) return { words: [found], shown: null };
            return { words: ws, shown: parts[2] + ' ' + parts[3], terms: parts.slice(0, 2) };
          });
        }
        return { words: [found], shown: null };
      });
    });
  }

  // ---- Filters -------------------------------------------------------------

  /** The site's page ids of each value of a filter, { value: [ids] }; loaded once. */
  function filterIds(site, name, mine) {
    if (!(site.manifest.version >= 4)) return filterIdsOfValues(site, name);
    var key = 'f:' + name;
    return site.load(key, 'f/' + name).then(function (data) {
      if (!data.ids) {
        var out = {};
        Object.keys(data).forEach(function (v) { out[v] = site.engine.ids(data[v]); });
        data.ids = out;
      }
      return data.ids;
    });
  }

  /** `filterIds` for an index of version 3 (an older innsyn): a file per value. */
  function filterIdsOfValues(site, name) {
    var filter = (site.manifest.filters || []).filter(function (f) { return f.name === name; })[0];
    var values = filter ? filter.values : [];
    return Promise.all(values.map(function (v) { return site.load('f:' + v.file, 'f/' + v.file); })).then(function (lists) {
      var out = {};
      values.forEach(function (v, i) { out[v.value] = site.engine.ids(lists[i]); });
      return out;
    });
  }

  /** The chosen filter values, by filter name. */
  function chosen() {
    var out = {};
    filtersEl.querySelectorAll('input:checked').forEach(function (c) {
      (out[c.name] = out[c.name] || []).push(c.value);
    });
    return out;
  }

  /**
   * For each filter chosen but `except`, the set of the site's pages it lets
   * through (OR within one filter); resolves with { name: Set }. A filter the
   * site lacks lets none through. The site filter is not among them.
   */
  function allowedBy(site, selection, mine) {
    var names = Object.keys(selection).filter(function (n) { return n !== SITE_FILTER; });
    return Promise.all(names.map(function (name) {
      var has = (site.manifest.filters || []).some(function (f) { return f.name === name; });
      if (!has) return new Set();
      return filterIds(site, name, mine).then(function (byValue) {
        var set = new Set();
        selection[name].forEach(function (v) { (byValue[v] || []).forEach(function (id) { set.add(id); }); });
        return set;
      });
    })).then(function (sets) {
      var out = {};
      names.forEach(function (name, i) { out[name] = sets[i]; });
      return out;
    });
  }

  /** The pages every filter in `by` lets through, or null when there is none. */
  function intersect(by) {
    var sets = Object.keys(by).map(function (n) { return by[n]; });
    if (!sets.length) return null;
    return sets.reduce(function (a, b) {
      return new Set(Array.from(a).filter(function (id) { return b.has(id); }));
    });
  }

  /** Whether the chosen site filter (if any) takes in `site`. */
  function siteChosen(site, selection) {
    var picked = selection[SITE_FILTER];
    return !picked || picked.indexOf(String(site.n)) >= 0;
  }

  // ---- Searching -----------------------------------------------------------

  /**
   * One site's part of a search: its hits (engine Hits), the mask of pages
   * the words find (filters aside; null when there are no words), the words'
   * Words, and the sets the chosen filters let through.
   */
  function searchSite(site, ws, selection, mine) {
    return Promise.all([
      Promise.all(ws.map(function (w, i) { return resolve(site, w, i === ws.length - 1, mine); })),
      allowedBy(site, selection, mine)
    ]).then(function (r) {
      var engine = site.engine;
      var resolved = r[0];
      var by = r[1];
      var allow = intersect(by);
      var matches = [];
      resolved.forEach(function (x) { matches.push.apply(matches, x.words); });
      var h;
      if (matches.length === 1) {
        var word = matches[0];
        h = new engine.Hits(function () {
          var found = word.all();
          return { ids: engine.only(found.ids, allow), score: found.score, head: found.head };
        }, word.best(PAGE_SIZE, allow), function () { return engine.countPages(matches, allow); });
      } else if (matches.length) {
        h = new engine.Hits(function () { return engine.combine(matches, allow); },
          engine.bestOfAll(matches, PAGE_SIZE, allow), function () { return engine.countPages(matches, allow); });
      } else {
        var every = allow ? Array.from(allow).sort(function (a, b) { return a - b; })
          : Array.from({ length: site.manifest.pages }, function (_, i) { return i; });
        h = new engine.Hits(function () {
          var n = site.manifest.pages;
          return { ids: every, score: new Float64Array(n), head: new Int32Array(n) };
        });
      }
      // A site the site filter leaves out is searched too, for its count.
      return { site: site, hits: h, matches: matches, resolved: resolved, by: by, taken: 0, chosen: siteChosen(site, selection) };
    });
  }

  /**
   * The results of every site, merged best first: `next()` gives the next
   * PAGE_SIZE as { part, hit }. With one site they are its own order; with
   * several, each site's next ten are compared by score (then by site).
   */
  function Results(parts) {
    this.parts = parts;
  }
  Results.prototype.next = function () {
    var candidates = [];
    this.parts.forEach(function (part) {
      part.hits.slice(part.taken, part.taken + PAGE_SIZE).forEach(function (hit, i) {
        candidates.push({ part: part, hit: hit, order: i });
      });
    });
    candidates.sort(function (a, b) {
      return (b.hit.score || 0) - (a.hit.score || 0) || a.part.site.n - b.part.site.n || a.order - b.order;
    });
    var out = candidates.slice(0, PAGE_SIZE);
    out.forEach(function (c) { c.part.taken++; });
    return out;
  };
  Results.prototype.count = function () {
    return this.parts.reduce(function (n, part) { return n + part.hits.count(); }, 0);
  };
  Results.prototype.shown = function () {
    return this.parts.reduce(function (n, part) { return n + part.taken; }, 0);
  };

  // ---- Showing results -----------------------------------------------------

  function el(tag, className, content) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (content) e.textContent = content;
    return e;
  }

  /** The address of a page of `site` from this page: under its root, index.html offline. */
  function href(site, p, anchor) {
    var sections = site.manifest.sections;
    var path = p.u.charAt(0) === '/' ? p.u : (sections[p.s] || { u: '/' }).u + p.u;
    var url = new URL(path.replace(/^\/+/, ''), site.root);
    // Only an address under the site: another site's index could say otherwise.
    if (url.href.lastIndexOf(site.root.href, 0) !== 0) return site.root.href;
    if (url.protocol === 'file:' && /\/$/.test(url.pathname)) url.pathname += 'index.html';
    if (anchor) url.hash = anchor;
    return url.href;
  }

  /** Whether a word of the text (folded) is one the query found. */
  function matches(folded) {
    return highlights.some(function (t) {
      return folded.lastIndexOf(t, 0) === 0 || (t.length > 3 && folded.indexOf(t) > 0);
    });
  }

  /**
   * How many of the query's words the text has, in any of the forms they were
   * found by, as `matches` finds them: at the start of a word, or inside one
   * for forms of four letters or more. With the browser's own string search,
   * not word by word: it runs for every passage of every result shown.
   */
  function strength(textValue) {
    var folded = fold(textValue);
    var has = function (t) {
      for (var at = folded.indexOf(t); at >= 0; at = folded.indexOf(t, at + 1)) {
        if (t.length > 3 || at === 0 || !/[\p{L}\p{N}]/u.test(folded.charAt(at - 1))) return true;
      }
      return false;
    };
    return groups.filter(function (forms) { return forms.some(has); }).length;
  }

  /** About thirty words of a passage around its first match, with … where cut. */
  function around(passage) {
    var parts = passage.split(' ');
    if (parts.length <= 36) return passage;
    var first = -1;
    for (var i = 0; i < parts.length && first < 0; i++) {
      eachWord(parts[i], function (w) { if (first < 0 && matches(fold(w))) first = i; });
    }
    var start = Math.max(0, Math.min(first < 0 ? 0 : first - 10, parts.length - 30));
    var end = Math.min(parts.length, start + 30);
    var out = parts.slice(start, end).join(' ');
    if (start > 0 && parts[start] !== '…') out = '… ' + out.replace(/^… /, '');
    if (end < parts.length && parts[end - 1] !== '…') out = out.replace(/ …$/, '') + ' …';
    return out;
  }

  /** Appends `excerpt` to `parent` as text, with the words that matched in <mark>. */
  function highlight(parent, excerpt) {
    var last = 0;
    eachWord(excerpt, function (w, at) {
      if (matches(fold(w))) {
        parent.append(excerpt.slice(last, at), el('mark', '', w));
        last = at + w.length;
      }
    });
    parent.append(excerpt.slice(last));
  }

  /**
   * The segment and excerpt a result shows for page entry `p`, whose best
   * posting points at segment `head`: the passage with the most of the query's
   * words (ties to one in that segment, then the first), or that segment's
   * first passage, or the start of the page when the match is there.
   */
  function excerptOf(p, head) {
    var segments = [];
    var passages = [];
    if (p.x) {
      for (var i = 0; i + 1 < p.h.length; i += 2) segments.push(p.h.slice(i, i + 2));
      for (var j = 0; j + 1 < p.x.length; j += 2) passages.push({ s: p.x[j], t: p.x[j + 1] });
    } else {
      // An index of version 3 (another site's, built by an older innsyn): per
      // segment anchor, heading and the start of its text.
      for (var k = 0; k + 2 < p.h.length; k += 3) {
        segments.push(p.h.slice(k, k + 2));
        if (p.h[k + 2]) passages.push({ s: k / 3, t: p.h[k + 2] });
      }
    }
    if (!(head < segments.length)) head = 0;
    var best = null;
    var bestStrength = 0;
    passages.forEach(function (x) {
      var s = strength(x.t);
      if (s > bestStrength || (s === bestStrength && s > 0 && x.s === head && best.s !== head)) {
        best = x;
        bestStrength = s;
      }
    });
    if (!best) {
      best = passages.filter(function (x) { return x.s === head; })[0] ||
        (head === 0 ? passages[0] : null) || { s: head, t: '' };
    }
    var segment = (segments[best.s] || ['', '']).slice();
    // Anchor 0: the heading in lower case with `-` for spaces.
    if (segment[0] === 0) segment[0] = String(segment[1]).toLowerCase().replace(/ /g, '-');
    return { at: best.s, anchor: segment[0], heading: segment[1], text: best.t ? around(best.t) : '' };
  }

  /** The <li> of a result: page entry `p` of `site`, at its segment number `head`. */
  function result(site, head, p) {
    var m = site.manifest;
    var shown = excerptOf(p, head);
    var lang = p.l || m.lang;
    var li = el('li', 'search-result');
    if (lang !== document.documentElement.lang) li.lang = lang;
    var title = el('h2', 'search-result-title');
    var a = el('a', '', p.t);
    a.href = href(site, p, shown.anchor);
    title.append(a);
    var meta = el('p', 'search-result-meta');
    if (sites.length > 1) meta.append(el('span', 'search-result-site', site.name));
    var sectionTitle = (m.sections[p.s] || {}).t;
    // The front page's section has the site's title: said once.
    if (sectionTitle && !(sites.length > 1 && sectionTitle === site.name)) {
      meta.append(el('span', 'search-result-section', sectionTitle));
    }
    if (site.types[p.y]) meta.append(el('span', 'search-result-type', site.types[p.y]));
    var statuses = m.statuses[lang] || {};
    if (p.st && statuses[p.st]) meta.append(el('span', 'status-badge status-' + p.st, statuses[p.st]));
    li.append(title);
    if (meta.firstChild) li.append(meta);
    if (shown.at > 0 && shown.heading) li.append(el('p', 'search-result-heading', shown.heading));
    if (shown.text) {
      var excerpt = el('p', 'search-result-excerpt');
      highlight(excerpt, shown.text);
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
    var next = hits.next();
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
    return Promise.all(next.map(function (c, i) {
      var site = c.part.site;
      return site.load('p:' + c.hit.id, 'p/' + c.hit.id).catch(function () {
        failedIn(site, mine);
        return null;
      }).then(function (p) {
        if (mine !== run) return;
        items[i] = p ? result(site, c.hit.head, p) : null;
        flush();
      });
    })).then(function () {
      if (mine !== run) return;
      if (focus && first) first.querySelector('a').focus();
    });
  }

  /** After a page of results, whether there are more. */
  function more() {
    moreButton.hidden = hits.shown() >= hits.count();
  }

  /** The query as it was read, when a word of it was read otherwise than typed. */
  function readAs(ws, parts) {
    var changed = false;
    var out = ws.map(function (w, i) {
      for (var k = 0; k < parts.length; k++) {
        var r = parts[k] && parts[k].resolved[i];
        if (r && r.shown) {
          changed = true;
          return r.shown;
        }
      }
      return w;
    });
    return changed ? out.join(' ') : null;
  }

  /**
   * Searches, once the other sites whose manifests are not here yet have
   * answered (or failed), or after GRACE, whichever is first: a site that
   * answers later joins with a search of its own.
   */
  function search() {
    clearTimeout(timer);
    var mine = ++run;
    var pending = sites.slice(1).filter(function (s) { return !s.manifest; });
    if (!pending.length) return searchNow(mine);
    state('busy');
    pending.forEach(function (s) { s.awaited = true; });
    var grace = new Promise(function (ok) { setTimeout(ok, GRACE); });
    Promise.race([Promise.all(pending.map(join)), grace]).then(function () {
      pending.forEach(function (s) { s.awaited = false; });
      if (mine === run) searchNow(mine);
    });
  }

  /** The search `mine` with the sites that are here. */
  function searchNow(mine) {
    var started = performance.now();
    var query = input.value;
    var ws = words(query);
    var selection = chosen();
    var ready = sites.filter(function (s) { return s.manifest; });
    if (!ready.length) {
      remember(query, selection);
      if (!sites[0].loading) start();
      return;
    }
    if (!ws.length && !Object.keys(selection).length) {
      hits = null;
      list.replaceChildren();
      moreButton.hidden = true;
      noteEl.hidden = true;
      say('');
      state('done');
      remember(query, selection);
      counts(mine, [], selection);
      return;
    }
    // The other sites that did not answer: their results are missing.
    trouble = {};
    sites.forEach(function (s) { if (!s.manifest) trouble[s.name] = true; });
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
    Promise.all(ready.map(function (site) {
      return searchSite(site, ws, selection, mine).catch(function (error) {
        if (site.n === 0) throw error;
        failedIn(site, mine);
        return null;
      });
    })).then(function (parts) {
      if (mine !== run) return;
      var all = parts.filter(Boolean);
      var found = all.filter(function (part) { return part.chosen; });
      hits = new Results(found);
      // Per query word, the forms it was found by; `highlights` all of them.
      groups = ws.map(function (w, i) {
        var forms = [w];
        all.forEach(function (part) {
          var r = part.resolved[i];
          r.words.forEach(function (m) { forms.push.apply(forms, m.terms); });
          if (r.shown) forms.push.apply(forms, words(r.shown));
        });
        return forms;
      });
      highlights = [].concat.apply([], groups);
      var read = readAs(ws, all);
      noteEl.hidden = !read;
      noteEl.textContent = read ? text('read-as').replace('{q}', read) : '';
      list.replaceChildren();
      return showMore(mine, false, function () { took('data-first-ms'); }).then(function () {
        if (mine !== run) return;
        took('data-ms');
        more();
        list.removeAttribute('aria-busy');
        var n = hits.count();
        var missing = Object.keys(trouble);
        say((n ? count(n) : text('no-results')) + (missing.length ? ' ' + incomplete(missing) : ''));
        took('data-count-ms');
        state(missing.length ? 'incomplete' : 'done');
        // After the results: changing the address can take a browser some
        // milliseconds, which the reader should not wait for.
        remember(query, selection);
        counts(mine, all, selection);
      });
    }).catch(failed);
  }

  /** What to say when files of the sites named failed to load. */
  function incomplete(names) {
    var others = names.filter(function (n) { return n !== (sites[0].name || ''); });
    if (others.length && others.length === names.length) {
      return text('incomplete-sites').replace('{sites}', others.join(', '));
    }
    return text('incomplete');
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

  // ---- The filter panel and its counts -------------------------------------

  /**
   * The filters of every site, merged by name and value (this site's first):
   * [{ name, title, values: [{ value, label }] }], and the site filter when
   * the search takes in other sites.
   */
  function allFilters() {
    var out = [];
    var byName = {};
    sites.forEach(function (site) {
      if (!site.manifest) return;
      (site.manifest.filters || []).forEach(function (f) {
        var into = byName[f.name];
        if (!into) {
          into = byName[f.name] = { name: f.name, title: f.title, values: [], seen: {} };
          out.push(into);
        }
        (f.values || []).forEach(function (v) {
          if (into.seen[v.value]) return;
          into.seen[v.value] = true;
          into.values.push({ value: v.value, label: v.label, count: v.count });
        });
      });
    });
    if (sites.length > 1) {
      out.push({
        name: SITE_FILTER,
        title: text('sites'),
        values: sites.map(function (s) { return { value: String(s.n), label: s.name }; })
      });
    }
    return out;
  }

  /** Builds the filter panel, keeping what is ticked (or what the address asks for). */
  function buildFilters(params) {
    var ticked = chosen();
    var wanted = function (name, value) {
      return ticked[name] ? ticked[name].indexOf(value) >= 0 : params.getAll(name).indexOf(value) >= 0;
    };
    Array.from(filtersEl.querySelectorAll('fieldset')).forEach(function (f) { f.remove(); });
    var any = Object.keys(ticked).length > 0;
    allFilters().forEach(function (filter) {
      if (!filter.values.length) return;
      var set = el('fieldset', 'search-filter');
      set.append(el('legend', '', filter.title));
      filter.values.forEach(function (v) {
        var label = el('label', 'search-filter-option');
        var check = el('input');
        check.type = 'checkbox';
        check.name = filter.name;
        check.value = v.value;
        check.checked = wanted(filter.name, v.value);
        if (check.checked) any = true;
        var name = el('span', 'search-filter-label', v.label + ' ');
        name.append(el('span', 'search-filter-count', ''));
        label.append(check, name);
        set.append(label);
      });
      filtersEl.append(set);
    });
    if (filtersEl.querySelector('input')) {
      filtersEl.hidden = false;
      // Open beside the results on wide screens; a tap away on phones.
      if (any || window.matchMedia('(min-width: 64rem)').matches) filtersEl.open = true;
    }
  }

  /** Shows `n` as the count of the option of `check` (greyed when 0; blank when unknown). */
  function showCount(check, n) {
    var label = check.closest('label');
    label.querySelector('.search-filter-count').textContent = n === null ? '' : '(' + n + ')';
    label.classList.toggle('search-filter-option-empty', n === 0);
  }

  /**
   * Counts, for every value of every filter, how many of the current results
   * it keeps: the pages the words find (all pages without words) that the
   * other chosen filters let through and that have the value. Needs every
   * filter's page lists, which load after the results are on screen and only
   * while the panel is open.
   */
  function counts(mine, parts, selection) {
    if (filtersEl.hidden) return;
    var checks = Array.from(filtersEl.querySelectorAll('input'));
    if (!filtersEl.open) {
      checks.forEach(function (c) { showCount(c, null); });
      filtersEl.setAttribute('data-counts', 'waiting');
      return;
    }
    filtersEl.setAttribute('data-counts', 'busy');
    var ready = sites.filter(function (s) { return s.manifest; });
    var bySite = {};
    parts.forEach(function (part) { bySite[part.site.n] = part; });
    Promise.all(ready.map(function (site) {
      var names = (site.manifest.filters || []).map(function (f) { return f.name; });
      return Promise.all(names.map(function (name) { return filterIds(site, name, mine); })).then(function (lists) {
        var byName = {};
        names.forEach(function (name, i) { byName[name] = lists[i]; });
        var part = bySite[site.n];
        var found = part && part.matches.length ? site.engine.everyOrAny(part.matches) : null;
        return { site: site, lists: byName, found: found };
      });
    })).then(function (perSite) {
      if (mine !== run) return;
      var total = {}; // name -> value -> count
      var add = function (name, value, n) {
        var t = total[name] = total[name] || {};
        t[value] = (t[value] || 0) + n;
      };
      perSite.forEach(function (s) {
        var site = s.site;
        var n = site.manifest.pages;
        // For each chosen filter, a mask of the pages it lets through.
        var masks = {};
        Object.keys(selection).forEach(function (name) {
          if (name === SITE_FILTER) return;
          var mask = new Uint8Array(n);
          var lists = s.lists[name] || {};
          selection[name].forEach(function (v) { (lists[v] || []).forEach(function (id) { mask[id] = 1; }); });
          masks[name] = mask;
        });
        var inSite = siteChosen(site, selection);
        var passes = function (id, except) {
          if (s.found && !s.found[id]) return false;
          for (var name in masks) if (name !== except && !masks[name][id]) return false;
          return true;
        };
        Object.keys(s.lists).forEach(function (name) {
          Object.keys(s.lists[name]).forEach(function (value) {
            var c = 0;
            if (inSite) s.lists[name][value].forEach(function (id) { if (passes(id, name)) c++; });
            add(name, value, c);
          });
        });
        if (sites.length > 1) {
          var c = 0;
          for (var id = 0; id < n; id++) if (passes(id, null)) c++;
          add(SITE_FILTER, String(site.n), c);
        }
      });
      checks.forEach(function (check) {
        showCount(check, (total[check.name] && total[check.name][check.value]) || 0);
      });
      filtersEl.setAttribute('data-counts', 'done');
    }).catch(function (error) {
      checks.forEach(function (c) { showCount(c, null); });
      filtersEl.setAttribute('data-counts', 'error');
      if (window.console) console.warn('innsyn search:', error);
    });
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
    var ws = words(input.value);
    sites.forEach(function (site) {
      if (!site.manifest) return;
      ws.forEach(function (w, i) { match(site, w, i === ws.length - 1, -1).catch(function () {}); });
    });
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
  // Counts load when the panel opens (on phones it starts closed).
  filtersEl.addEventListener('toggle', function () {
    if (filtersEl.open && filtersEl.getAttribute('data-counts') === 'waiting') search();
  });
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
  sites.push(new Site(0, root, ''));

  /** Makes `site` ready to search once its manifest is there. */
  function ready(site, m) {
    site.manifest = m;
    site.engine = Engine(m);
    if (!site.name) site.name = m.site || '';
    (m.types || []).forEach(function (t) { site.types[t.key] = t.label; });
  }

  /**
   * Loads this site's manifest, then the other sites' (each joins the search
   * when its manifest arrives; one that fails is tried again at the next query).
   */
  function start() {
    var own = sites[0];
    own.loading = true;
    own.load('manifest', 'manifest').then(function (m) {
      own.loading = false;
      ready(own, m);
      (m.network || []).forEach(function (s, i) {
        var at = location.protocol === 'file:' && s.local ? s.local : s.url;
        try {
          sites.push(new Site(i + 1, new URL(at, root), s.name));
        } catch (e) {
          if (window.console) console.warn('innsyn search: no address for', s.name);
        }
      });
      buildFilters(params);
      search();
    }).catch(function (error) {
      own.loading = false;
      failed(error);
    });
  }

  /**
   * Loads another site's manifest (again, when it failed before); resolves
   * when it is here or has failed. It joins the filters then, and the search:
   * a search that waited for it has it, else it searches again.
   */
  function join(site) {
    if (site.manifest) return Promise.resolve();
    if (!site.joining) {
      site.joining = site.load('manifest', 'manifest').then(function (m) {
        site.joining = null;
        ready(site, m);
        buildFilters(params);
        if (!site.awaited) search();
      }, function () {
        site.joining = null;
      });
    }
    return site.joining;
  }

  start();
})();
