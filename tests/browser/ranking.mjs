// Checks the ranking code of search.js against a plain computation, on random
// posting lists written as the indexer writes them (docs/search.md): a word's
// best pages read from the tops of its lists (`Word.best`) must be the pages,
// segments and order that scoring every page and sorting gives, their number
// (`countPages`) the number of those pages, and several words must rank by the
// sum of each word's best score, pages with every word first, whether every
// list is decoded (`combine`) or one word's is read from the top (`bestOfAll`).
// With a built site's folder as well, it also checks the scoring of that site's
// index (src/search/mod.rs): for each word asked for, its ten best pages have it
// in their title first, then in a heading, then only in their text, and the
// first result is the one named.
// Runs in node alone, no browser.
// Usage: node tests/browser/ranking.mjs [CASES [SITE_DIR WORD=FIRST_TITLE...]]
// Prints one line per check; exits 1 on the first disagreement, with the case.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const source = readFileSync(path.join(here, '..', '..', 'themes', 'innsyn', 'static', 'search.js'), 'utf8');
// The part of search.js that reads the index and ranks (its Engine): between these headings.
const from = source.indexOf('// ---- The index\'s encoding');
const to = source.indexOf('// ---- End of the engine');
if (from < 0 || to < from) {
  console.log('search.js has no "The index\'s encoding" … "End of the engine" part to test');
  process.exit(1);
}
const engine = (pages) =>
  new Function('manifest', 'PAGE_SIZE', source.slice(from, to) + '\nreturn { Word: Word, combine: combine, bestOfAll: bestOfAll, countPages: countPages, Hits: Hits, only: only, SCORE: SCORE, shardOf: shardOf };')(
    { pages },
    10,
  );

// ---- The indexer's encoding (src/search/encoding.rs) ------------------------

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
function pushNumber(out, n) {
  const digits = [];
  do {
    digits.push(n & 31);
    n >>>= 5;
  } while (n > 0);
  for (let i = digits.length - 1; i > 0; i--) out.push(ALPHABET[digits[i]]);
  out.push(ALPHABET[32 + digits[0]]);
}
/** postings: [{ page, level, head }] in any order. */
function encode(postings) {
  const sorted = [...postings].sort((a, b) => b.level - a.level || a.page - b.page);
  const out = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j < sorted.length && sorted[j].level === sorted[i].level) j++;
    out.push(ALPHABET[sorted[i].level]);
    pushNumber(out, j - i);
    let last = 0;
    for (const p of sorted.slice(i, j)) {
      pushNumber(out, p.page - last);
      pushNumber(out, p.head);
      last = p.page;
    }
    i = j;
  }
  return out.join('');
}

// ---- Random cases -------------------------------------------------------------

let seed = 0x1234567;
function random() {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const below = (n) => Math.floor(random() * n);

/**
 * A word: 1–5 terms on random pages, with many score levels, or few (so that
 * pages tie), or two neighbouring levels and no lower weights (so that sums
 * of several words tie too).
 */
function randomWord(pages, ties) {
  const levels = ties ? [20, 21] : random() < 0.5 ? [below(64), below(64)] : Array.from({ length: 64 }, (_, i) => i);
  const terms = [];
  for (let t = 0, n = 1 + below(5); t < n; t++) {
    const postings = [];
    const share = random();
    for (let page = 0; page < pages; page++) {
      if (random() < share) postings.push({ page, level: levels[below(levels.length)], head: below(4) });
    }
    terms.push({ postings, weight: ties || t === 0 || random() < 0.3 ? 1 : 0.7 });
  }
  return terms;
}

/** Each page's best score over the word's terms, and the segment of the first term to reach it. */
function plainScores(terms, SCORE) {
  const best = new Map();
  for (const { postings, weight } of terms) {
    for (const p of [...postings].sort((a, b) => a.page - b.page)) {
      const value = SCORE[p.level] * weight;
      const had = best.get(p.page);
      if (!had || value > had.score) best.set(p.page, { score: value, head: p.head });
    }
  }
  return best;
}

const ranked = (entries) =>
  entries.sort((a, b) => b.score - a.score || a.id - b.id).map(({ id, head }) => ({ id, head }));
/** Results as { id, head }: the order and segments, which is what is compared (scores are checked apart). */
const plainOf = (results) => results && results.map(({ id, head }) => ({ id, head }));

function fail(what, details) {
  console.log(JSON.stringify({ failed: what, ...details }));
  process.exit(1);
}

const cases = Number(process.argv[2] || 400);
for (let c = 0; c < cases; c++) {
  const pages = 1 + below(300);
  const { Word, combine, bestOfAll, countPages, Hits, only, SCORE } = engine(pages);
  const allow = random() < 0.3 ? new Set(Array.from({ length: pages }, (_, i) => i).filter(() => random() < 0.3)) : null;
  const ties = random() < 0.25;
  const words = Array.from({ length: random() < 0.6 ? 1 : 2 + below(2) }, () => randomWord(pages, ties));
  const made = words.map((terms) => new Word(terms.map((_, i) => 't' + i), terms.map((t) => encode(t.postings)), terms.map((t) => t.weight)));
  const plain = words.map((terms) => plainScores(terms, SCORE));
  const k = random() < 0.7 ? 10 : 1 + below(15);

  // One word: best and count.
  const expected = ranked([...plain[0]].filter(([id]) => !allow || allow.has(id)).map(([id, s]) => ({ id, ...s })));
  const bestScored = new Word(made[0].terms, made[0].lists, made[0].weights).best(k, allow);
  const best = plainOf(bestScored);
  if (JSON.stringify(best) !== JSON.stringify(expected.slice(0, k))) {
    fail('Word.best', { case: c, k, best, expected: expected.slice(0, k) });
  }
  const count = countPages([new Word(made[0].terms, made[0].lists, made[0].weights)], allow);
  if (count !== expected.length) fail('Word.count', { case: c, count, expected: expected.length });
  const found = made[0].all();
  const hits = new Hits(() => ({ ids: only(found.ids, allow), score: found.score, head: found.head }));
  bestScored.forEach((p) => {
    if (p.score !== plain[0].get(p.id).score) fail('Word.best score', { case: c, page: p, expected: plain[0].get(p.id) });
  });
  if (JSON.stringify(plainOf(hits.slice(0, 10))) !== JSON.stringify(expected.slice(0, 10))) {
    fail('Hits.slice of all', { case: c, hits: hits.slice(0, 10), expected: expected.slice(0, 10) });
  }
  const later = hits.slice(10, 20);
  if (later.some((p) => p.score !== plain[0].get(p.id).score)) fail('Hits.slice score', { case: c, later });
  if (JSON.stringify(plainOf(later)) !== JSON.stringify(expected.slice(10, 20))) {
    fail('Hits.slice of the next page', { case: c });
  }

  // Several words: the sum of each word's best, pages with every word, else with any.
  if (made.length > 1) {
    const sum = new Map();
    plain.forEach((scores) => {
      for (const [id, s] of scores) {
        const had = sum.get(id) || { id, score: 0, words: 0, top: 0, head: 0 };
        had.score += s.score;
        had.words++;
        if (s.score > had.top) {
          had.top = s.score;
          had.head = s.head;
        }
        sum.set(id, had);
      }
    });
    const every = [...sum.values()].filter((p) => p.words === made.length);
    const chosen = (every.length ? every : [...sum.values()]).filter((p) => !allow || allow.has(p.id));
    const want = ranked(chosen);
    const got = new Hits(() => combine(made, allow));
    if (JSON.stringify(plainOf(got.slice(0, k))) !== JSON.stringify(want.slice(0, k)) || got.count() !== want.length) {
      fail('combine', { case: c, k, got: got.slice(0, k), want: want.slice(0, k), count: got.count(), wanted: want.length });
    }
    const fresh = () => made.map((w) => new Word(w.terms, w.lists, w.weights));
    const top = plainOf(bestOfAll(fresh(), k, allow));
    const topWanted = every.some((p) => !allow || allow.has(p.id)) ? want.slice(0, k) : null;
    if (JSON.stringify(top) !== JSON.stringify(topWanted)) fail('bestOfAll', { case: c, k, top, wanted: topWanted });
    const counted = countPages(fresh(), allow);
    if (counted !== want.length) fail('countPages of several words', { case: c, counted, wanted: want.length });
  }
}
console.log(`ok: ${cases} random cases agree`);

// ---- The scoring of a built site's index -----------------------------------

const siteDir = process.argv[3];
if (siteDir) {
  /** The data a file of the site's index registers. */
  const read = (file) => {
    let data;
    new Function('window', readFileSync(path.join(siteDir, 'search', file + '.js'), 'utf8'))({
      innsynSearch: { register: (_key, d) => { data = d; } },
    });
    return data;
  };
  const manifest = read('manifest');
  const { Word, shardOf } = engine(manifest.pages);
  const fold = (s) =>
    s.normalize('NFC').toLowerCase().replace(/å/g, 'aa').replace(/[æä]/g, 'ae').replace(/[øö]/g, 'oe');
  const wordsOf = (text) => (fold(text).match(/[\p{L}\p{N}]+/gu) || []);
  /** The term of a word as search.js finds it: the word, else its longest start that is a term. */
  const termOf = (word) => {
    for (let n = word.length; n >= 3; n--) {
      const t = word.slice(0, n);
      const terms = read('t/' + shardOf(manifest.shards, t));
      if (Object.prototype.hasOwnProperty.call(terms, t)) return [t, terms[t]];
    }
    return null;
  };
  const placeOf = (p, term) => {
    const has = (text) => wordsOf(text).some((w) => w.startsWith(term));
    if (has(p.t)) return 2;
    for (let i = 1; i < p.h.length; i += 2) if (has(String(p.h[i]))) return 1;
    return 0;
  };
  const pinned = process.argv.slice(4);
  if (!pinned.length || !existsSync(path.join(siteDir, 'search', 'manifest.js'))) {
    fail('site check', { why: 'give the site folder and WORD=FIRST_TITLE pairs', siteDir });
  }
  for (const pin of pinned) {
    const [query, first] = pin.split('=');
    const found = termOf(fold(query));
    if (!found) fail('site check', { query, why: 'no term' });
    const [term, list] = found;
    const best = new Word([term], [list], [1]).best(10, null);
    const pages = best.map((b) => read('p/' + b.id));
    const places = pages.map((p) => placeOf(p, term));
    for (let i = 1; i < places.length; i++) {
      if (places[i] > places[i - 1]) {
        fail('title, then headings, then text', { query, term, results: pages.map((p, j) => [p.t, places[j]]) });
      }
    }
    if (pages[0].t !== first) fail('first result', { query, term, first: pages[0].t, wanted: first });
    console.log(`ok: «${query}» ranks ${pages.length} pages by place (${places.join('')}), first «${first}»`);
  }
}

