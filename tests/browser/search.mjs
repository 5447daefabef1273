#!/usr/bin/env node
// Drives the search page (sok/index.html) of a built innsyn site in headless
// Chromium, as a reader would: types queries, ticks filters, moves with the
// keyboard. Reports, as JSON on stdout, every check that failed, every request
// that left the site, console and page errors, dialogs, and serious or critical
// axe-core violations on the search page with results shown.
//
// Usage: node tests/browser/search.mjs SITE_DIR BASE_URL [--checks example|injection|network]
//                                      [--other OTHER_BASE_URL --other-dir OTHER_DIR]
//                                      [--screenshots OUTDIR]
//   SITE_DIR  the built site (for the report; the browser only uses BASE_URL)
//   BASE_URL  where the site's root is: file:///…/site/ (built with --offline)
//             or http://127.0.0.1:PORT/
//   --checks  example (default): the example site at the repository root;
//             injection: the charts fixture, whose page `farlig` has
//             <script> in a table cell; network: Fjellby's site, whose search
//             takes in Dalby's at OTHER_BASE_URL (tests/search_browser.rs).
//
// Exit status: 0 clean, 1 problems found, 2 usage error or crash.
// Environment: CHROMIUM (default /usr/bin/chromium); INNSYN_TOOLS, the folder
// scripts/test installs the npm packages into (default .tools/ at the repo root).

import fs from 'node:fs';
import path from 'node:path';
import { AXE_TAGS, CHROMIUM_ARGS, REPORTED_IMPACTS, SCREENSHOT_WIDTHS, requireTool } from './common.mjs';

const USAGE =
  'usage: node tests/browser/search.mjs SITE_DIR BASE_URL [--checks example|injection|network] [--other OTHER_BASE_URL] [--screenshots OUTDIR]';
const WAIT_MS = 10_000;
const WHOLE_RUN_TIMEOUT_MS = 3 * 60_000;

function usage(message) {
  process.stderr.write(`search.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { site: null, base: null, checks: 'example', screenshots: null, other: null, otherDir: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--checks' || arg === '--screenshots' || arg === '--other' || arg === '--other-dir') {
      const value = argv[++i];
      if (value === undefined) usage(`${arg} needs a value`);
      if (arg === '--checks') opts.checks = value;
      else if (arg === '--other') opts.other = value;
      else if (arg === '--other-dir') opts.otherDir = value;
      else opts.screenshots = path.resolve(value);
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg.startsWith('-')) {
      usage(`unknown option '${arg}'`);
    } else if (opts.site === null) {
      opts.site = arg;
    } else if (opts.base === null) {
      opts.base = arg;
    } else {
      usage(`unexpected argument '${arg}'`);
    }
  }
  if (opts.base === null) usage('missing SITE_DIR or BASE_URL');
  if (!['example', 'injection', 'network'].includes(opts.checks)) usage(`unknown --checks '${opts.checks}'`);
  if ((opts.checks === 'network') !== (opts.other !== null && opts.otherDir !== null)) {
    usage('--checks network goes with --other OTHER_BASE_URL --other-dir OTHER_DIR');
  }
  if (!/^(file|https?):\/\/.*\/$/.test(opts.base)) usage(`BASE_URL must be a file:// or http:// URL ending in /`);
  return opts;
}


async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const base = opts.base;
  const offline = base.startsWith('file:');
  const report = {
    site: opts.site,
    base,
    checks_run: [],
    failed_checks: [],
    outside_requests: [],
    console_errors: [],
    page_errors: [],
    dialogs: [],
    axe_violations: [],
    screenshots: [],
  };

  const { chromium } = requireTool('playwright-core');
  const axeSource = fs.readFileSync(requireTool.resolve('axe-core/axe.min.js'), 'utf8');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: SCREENSHOT_WIDTHS[0], height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);

    // Everything must come from inside the site (the folder, or the one host),
    // or from the other site a network search takes in.
    const inside = (url) => {
      const bare = url.split(/[?#]/)[0];
      return bare.startsWith(base) || (opts.other && bare.startsWith(opts.other)) || url.startsWith('data:') || url.startsWith('blob:');
    };
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (inside(url)) return route.continue();
      report.outside_requests.push(url);
      return route.abort('blockedbyclient');
    });
    page.on('request', (request) => {
      const url = request.url();
      if (!inside(url) && !report.outside_requests.includes(url)) report.outside_requests.push(url);
    });
    page.on('requestfailed', (request) => {
      if (inside(request.url()) && !report.failing) {
        report.console_errors.push({ text: `failed to load ${request.url()}: ${request.failure()?.errorText}` });
      }
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && !(report.failing && /Failed to load resource|could not load/.test(message.text()))) {
        report.console_errors.push({ text: message.text(), url: message.location()?.url ?? '' });
      }
    });
    page.on('pageerror', (error) => report.page_errors.push(String(error?.stack || error)));
    page.on('dialog', async (dialog) => {
      report.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      await dialog.dismiss();
    });

    const t = makeTools(page, base, offline, report);
    t.siteDir = opts.site;
    t.otherDir = opts.otherDir;
    t.report = report;
    if (opts.checks === 'example') await exampleChecks(t);
    else if (opts.checks === 'network') await networkChecks(t, opts.other);
    else await injectionChecks(t);

    // axe on the search page with results shown.
    await page.evaluate(`${axeSource}\n;0`);
    const results = await page.evaluate(
      (tags) =>
        window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
          preload: false,
        }),
      AXE_TAGS,
    );
    for (const v of results.violations) {
      if (!REPORTED_IMPACTS.has(v.impact)) continue;
      report.axe_violations.push({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.length,
        targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')),
      });
    }

    if (opts.screenshots) {
      fs.mkdirSync(opts.screenshots, { recursive: true });
      for (const width of SCREENSHOT_WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        const file = path.join(opts.screenshots, `search-${opts.checks}-${offline ? 'file' : 'http'}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        report.screenshots.push(file);
      }
    }
  } finally {
    await browser.close();
  }
  finish(report);
}

/** Helpers bound to one page. */
function makeTools(page, base, offline, report) {
  const searchPage = `${base}sok/${offline ? 'index.html' : ''}`;

  /** Records a check; `ok` false adds it to the failures with `detail`. */
  const check = (name, ok, detail) => {
    report.checks_run.push(name);
    if (!ok) report.failed_checks.push({ name, detail });
    return ok;
  };

  /** Waits until the search for the current input and filters has finished. */
  const settled = () =>
    page.waitForFunction(() => {
      const box = document.getElementById('innsyn-search');
      return box && box.dataset.state === 'done';
    });

  /** What the page shows: the live region, and each result. */
  const shown = () =>
    page.evaluate(() => {
      const live = document.querySelector('#innsyn-search [aria-live="polite"]');
      return {
        live: live ? live.textContent : null,
        url: location.href,
        results: Array.from(document.querySelectorAll('#innsyn-search-results > li'), (li) => {
          const a = li.querySelector('a');
          return {
            title: a ? a.textContent : '',
            href: a ? a.href : '',
            excerpt: li.querySelector('.search-result-excerpt')?.textContent ?? '',
            text: li.textContent,
            markup: li.querySelectorAll('script, img, iframe, object').length,
          };
        }),
      };
    });

  /** The site path of a result (`mandater/a9/`), the same offline and served. */
  const sitePath = (href) => {
    const url = href.split('#')[0].split('?')[0];
    return url.startsWith(base) ? url.slice(base.length).replace(/index\.html$/, '') : `(outside) ${url}`;
  };

  /** Opens the search page, with `query` in the address when given. */
  const open = async (query) => {
    const url = query === undefined ? searchPage : `${searchPage}?q=${encodeURIComponent(query)}`;
    await page.goto(url, { waitUntil: 'load' });
    await settled();
  };

  /** Types `query` into the search field key by key, as a reader does. */
  const type = async (query) => {
    const input = page.locator('#innsyn-search-q');
    await input.fill('');
    await input.focus();
    await page.keyboard.type(query, { delay: 25 });
    await page.waitForFunction((q) => document.getElementById('innsyn-search-q').value === q, query);
    await settled();
    return shown();
  };

  /** Ticks or unticks the filter value labelled `label` in the fieldset `legend`. */
  const tick = async (legend, label, on = true) => {
    await page.evaluate(() => {
      const filters = document.getElementById('innsyn-search-filters');
      if (filters) filters.open = true;
    });
    const box = page
      .locator('fieldset', { has: page.locator('legend', { hasText: legend }) })
      .locator('label', { hasText: label })
      .locator('input[type="checkbox"]');
    if (on) await box.check();
    else await box.uncheck();
    await settled();
    return shown();
  };

  const count = (live) => {
    const m = /\d+/.exec(live ?? '');
    return m ? Number(m[0]) : null;
  };

  /**
   * The filter panel, opened, once its counts are worked out: per option its
   * filter, value, label, count (null when none is shown) and whether it is greyed.
   */
  const counts = async () => {
    await page.evaluate(() => {
      const filters = document.getElementById('innsyn-search-filters');
      if (filters && !filters.open) filters.open = true;
    });
    await page.waitForFunction(() => document.getElementById('innsyn-search-filters').dataset.counts === 'done');
    return page.evaluate(() =>
      Array.from(document.querySelectorAll('#innsyn-search-filters label'), (label) => {
        const input = label.querySelector('input');
        const m = /\((\d+)\)/.exec(label.querySelector('.search-filter-count')?.textContent ?? '');
        return {
          filter: input.name,
          value: input.value,
          label: label.querySelector('.search-filter-label').firstChild.textContent.trim(),
          count: m ? Number(m[1]) : null,
          greyed: label.classList.contains('search-filter-option-empty'),
          visible: label.getBoundingClientRect().height > 0,
        };
      }),
    );
  };

  /** The «Viser treff for …» line, or '' when it is hidden. */
  const note = () =>
    page.evaluate(() => {
      const n = document.getElementById('innsyn-search-note');
      return n && !n.hidden ? n.textContent : '';
    });

  return { page, base, offline, check, settled, shown, sitePath, open, type, tick, count, counts, note };
}

async function exampleChecks(t) {
  const { page, check, sitePath } = t;
  const paths = (s) => s.results.map((r) => sitePath(r.href));
  const brief = (s) => JSON.stringify({ live: s.live, results: s.results.map((r) => `${r.title} → ${sitePath(r.href)}`) });

  await t.open();
  check('the search page opens with an empty field and no results', (await t.shown()).results.length === 0, brief(await t.shown()));

  // A nynorsk inflection the site never uses finds its stem.
  let s = await t.type('innbyggjarane');
  check('«innbyggjarane» finds the Time page', paths(s).includes('nettverk/arsverksbehov-time/'), brief(s));
  check(
    'the live region gives the number of results',
    s.results.length > 0 && s.results.length <= 10 && t.count(s.live) === s.results.length,
    brief(s),
  );
  check('results link into the site folder', s.results.every((r) => !sitePath(r.href).startsWith('(outside)')), brief(s));
  if (t.offline) {
    check('offline, result links end in index.html', s.results.every((r) => /index\.html(#.*)?$/.test(r.href)), brief(s));
  }

  // A part of a compound word.
  s = await t.type('torg');
  check('«torg» finds the A9 Innbyggertorg mandate', paths(s).includes('mandater/a9-innbyggertorg/'), brief(s));

  s = await t.type('barnehagene');
  check('«barnehagene» finds a page about barnehage', s.results.some((r) => /barnehage/i.test(r.title)), brief(s));
  check(
    'the excerpt marks the words that matched',
    (await page.locator('#innsyn-search-results mark').count()) > 0,
    brief(s),
  );

  // Keyboard: Down from the field to the first result, Down to the next, Escape back.
  await page.locator('#innsyn-search-q').focus();
  await page.keyboard.press('ArrowDown');
  const first = await page.evaluate(() => {
    const a = document.activeElement;
    const links = Array.from(document.querySelectorAll('#innsyn-search-results a'));
    return { isFirst: links.length > 0 && a === links[0], tag: a?.tagName, text: a?.textContent };
  });
  check('ArrowDown in the field focuses the first result link', first.isFirst, JSON.stringify(first));
  if (s.results.length > 1) {
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(
      () => document.activeElement === document.querySelectorAll('#innsyn-search-results .search-result-title a')[1],
    );
    check('ArrowDown on a result focuses the next one', second, '');
  }
  await page.keyboard.press('Escape');
  check(
    'Escape on a result returns to the field',
    await page.evaluate(() => document.activeElement?.id === 'innsyn-search-q'),
    '',
  );

  // Two words: a page with both ranks before pages with one of them.
  s = await t.type('innbyggertorg asker');
  check('«innbyggertorg asker» has the A9 mandate first', paths(s)[0] === 'mandater/a9-innbyggertorg/', brief(s));

  // «Show more» on a broad query: the first ten stay, ten others follow.
  s = await t.type('kommune');
  const total = t.count(s.live);
  check('«kommune» finds more than a page of results', total > 10 && s.results.length === 10, brief(s));
  if (total > 10) {
    await page.locator('#innsyn-search-more').click();
    await t.settled();
    const more = await t.shown();
    check(
      '«Show more» keeps the first ten and adds the next, without repeats',
      more.results.length === Math.min(20, total) &&
        paths(more).slice(0, 10).join() === paths(s).join() &&
        new Set(paths(more)).size === more.results.length,
      brief(more),
    );
  }

  // Filters: a broad query, then the status «Foreslått» narrows it to Kongsbergregionen's measures.
  const broad = await t.type('kommune');
  const before = t.count(broad.live);
  s = await t.tick('Status', 'Foreslått');
  const after = t.count(s.live);
  check(
    'the status filter «Foreslått» narrows the count',
    before !== null && after !== null && after > 0 && after < before,
    `before: ${broad.live}; after: ${s.live}`,
  );
  check(
    'with «Foreslått», results are Kongsbergregionen measures',
    s.results.length > 0 && paths(s).every((p) => p.startsWith('mal/kongsbergregionen/')),
    brief(s),
  );

  await countChecks(t, s, brief);

  // An empty query with the filter lists every page that has the value.
  s = await t.type('');
  const all = t.count(s.live);
  check(
    'an empty query with «Foreslått» lists Kongsbergregionen measures',
    s.results.length > 0 && paths(s).every((p) => p.startsWith('mal/kongsbergregionen/')) && all >= after,
    brief(s),
  );
  check('the search is kept in the address', /[?&]status=/.test(s.url), s.url);
  if (s.results.length === 10 && all > 10) {
    await page.locator('#innsyn-search-more').click();
    await t.settled();
    const more = await t.shown();
    check('«Show more» shows the next results', more.results.length === Math.min(20, all), brief(more));
    check(
      '«Show more» moves focus to the first new result',
      await page.evaluate(() => document.activeElement === document.querySelectorAll('#innsyn-search-results a')[10]),
      '',
    );
  }

  // A shared address opens the same search.
  await page.goto(s.url, { waitUntil: 'load' });
  await t.settled();
  const again = await t.shown();
  check(
    'a shared address gives the same search',
    again.live === s.live && (await page.locator('#innsyn-search-filters input:checked').count()) === 1,
    `${s.live} / ${again.live}`,
  );

  // The header form on another page leads to the search page with the query.
  await page.goto(`${t.base}${t.offline ? 'index.html' : ''}`, { waitUntil: 'load' });
  await page.locator('#innsyn-q').fill('torg');
  await page.locator('#innsyn-q').press('Enter');
  await page.waitForURL(/sok\/(index\.html)?\?q=torg/);
  await t.settled();
  s = await t.shown();
  check('the header form opens the search with its query', paths(s).includes('mandater/a9-innbyggertorg/'), brief(s));

  // Ranking: pages with the word in their title come before those without.
  for (const [query, first] of [['meråker', 'Årsverksbehov i Meråker 2012–2040'], ['arkiv', 'Lag et arkiv']]) {
    const ranked = await t.type(query);
    const inTitle = ranked.results.map((r) => r.title.toLowerCase().includes(query));
    const firstWithout = inTitle.indexOf(false);
    const ordered = firstWithout < 0 || inTitle.slice(firstWithout).every((x) => !x);
    check(`«${query}»: titles with the word first, «${first}» at the top`, ordered && ranked.results[0]?.title === first, brief(ranked));
  }

  await excerptChecks(t, brief);
  await readAsChecks(t, brief);
  await retryChecks(t, brief);

  // Leave results on screen for axe and the screenshots.
  await t.type('barnehagene');
}

/**
 * Each filter value shows how many of the current results it keeps: with
 * «Foreslått» ticked under a query, the type counts add up to the results,
 * ticking a value gives as many results as it said, and a value that keeps
 * none is greyed but still there.
 */
async function countChecks(t, s, brief) {
  const { check } = t;
  let options = await t.counts();
  const total = t.count(s.live);
  const types = options.filter((o) => o.filter === 'type');
  check(
    'with a query and a filter, the type counts add up to the results',
    types.length > 0 && types.reduce((n, o) => n + (o.count ?? 0), 0) === total,
    JSON.stringify({ live: s.live, types }),
  );
  const status = options.find((o) => o.filter === 'status' && o.value === 'foreslatt');
  check('the ticked value counts the results', status && status.count === total, JSON.stringify({ live: s.live, status }));
  const empty = options.filter((o) => o.count === 0);
  check(
    'a value that keeps no result shows 0, greyed, and stays in the panel',
    empty.length > 0 && empty.every((o) => o.greyed && o.visible) && options.every((o) => o.greyed === (o.count === 0)),
    JSON.stringify(options),
  );
  // Untick, tick a theme with results instead: as many results as its count said.
  await t.tick('Status', 'Foreslått', false);
  options = await t.counts();
  const theme = options.find((o) => o.filter === 'tema' && o.count > 0);
  if (check('under «kommune» some theme keeps results', theme !== undefined, JSON.stringify(options))) {
    const narrowed = await t.tick('Tema', theme.label);
    check(
      `ticking «${theme.label}» (${theme.count}) gives that many results`,
      t.count(narrowed.live) === theme.count,
      `${brief(narrowed)} ${JSON.stringify(theme)}`,
    );
    const after = await t.counts();
    const again = after.find((o) => o.filter === 'tema' && o.value === theme.value);
    check('the ticked value keeps its count', again && again.count === theme.count, JSON.stringify(after));
    await t.tick('Tema', theme.label, false);
  }
  // The whole-site counts would say Kristiansand (42) after a narrow query.
  const narrow = await t.type('innbyggertorg');
  options = await t.counts();
  const kristiansand = options.find((o) => o.value === 'kristiansand');
  check(
    'after a narrow query the counts are of its results, not of the whole site',
    kristiansand && kristiansand.count <= t.count(narrow.live),
    JSON.stringify({ live: narrow.live, kristiansand }),
  );
  await t.tick('Status', 'Foreslått');
}

/**
 * Excerpts are about thirty words of the page's own prose around the match,
 * the matched words marked: never a chart's interface text.
 */
async function excerptChecks(t, brief) {
  const { page, check } = t;
  for (const query of ['meråker', 'årsverk', 'kommunedata', 'sykefravær', 'gevinster']) {
    const s = await t.type(query);
    const excerpts = await page.evaluate(() =>
      Array.from(document.querySelectorAll('#innsyn-search-results > li'), (li) => {
        const e = li.querySelector('.search-result-excerpt');
        return e ? { text: e.textContent, marks: e.querySelectorAll('mark').length } : null;
      }).filter(Boolean),
    );
    check(`«${query}» has results with excerpts`, s.results.length > 0 && excerpts.length > 0, brief(s));
    const chrome = excerpts.filter((e) => /Beskrivelse og tall|Diagrammet viser|Last ned|Tallene i diagrammet/.test(e.text));
    check(`«${query}»: no excerpt is a chart's interface text`, chrome.length === 0, JSON.stringify(chrome));
    const long = excerpts.filter((e) => e.text.split(' ').length > 40);
    check(`«${query}»: excerpts are about thirty words`, long.length === 0, JSON.stringify(long));
    // The best results show the word; further down a page may only mention it
    // where no excerpt is kept (a table, a code block), and shows its start.
    const marked = excerpts.filter((e) => e.marks > 0).length;
    check(
      `«${query}»: the best result's excerpt, and half of all, show the word that matched`,
      excerpts[0].marks > 0 && marked >= Math.ceil(excerpts.length / 2),
      `${marked} of ${excerpts.length}: ${JSON.stringify(excerpts)}`,
    );
  }
  // A word deep in a long segment: «kommunedata» stands far into the Meråker
  // page's «Slik er tallene beregnet».
  const s = await t.type('kommunedata');
  const meraker = s.results.find((r) => /Meråker/.test(r.title));
  check(
    'the excerpt of a word past the start of its section is the passage around it',
    meraker && /kommunedata/.test(meraker.excerpt),
    brief(s),
  );
}

/** A compound the site lacks is split into its parts; a word one letter off finds the word. */
async function readAsChecks(t, brief) {
  const { page, check } = t;
  let s = await t.type('bemanningsbehov');
  let line = await t.note();
  check('«bemanningsbehov» finds pages through «bemanning» and «behov»', s.results.length > 0, brief(s));
  check('…and says how it read the query', /bemanning behov/.test(line), line);
  s = await t.type('barnhage');
  line = await t.note();
  check('«barnhage» finds pages about barnehage', s.results.some((r) => /barnehage/i.test(r.text)), brief(s));
  check('…with «Viser treff for «barnehage»»', /Viser treff for «barnehage»/.test(line), line);
  check(
    '…and marks «barnehage» in the excerpts',
    (await page.locator('#innsyn-search-results mark', { hasText: /barnehage/i }).count()) > 0,
    brief(s),
  );
  s = await t.type('barnehgae');
  line = await t.note();
  check('two letters swapped («barnehgae») find «barnehage» too', s.results.length > 0 && /«barnehage»/.test(line), `${line} ${brief(s)}`);
  s = await t.type('barnehage');
  check('a word the site has gets no «Viser treff for» line', (await t.note()) === '' && s.results.length > 0, brief(s));
}

/**
 * A term shard that fails to load: the reader is told the results may be
 * incomplete, and the next query loads it again.
 */
async function retryChecks(t, brief) {
  const { page, check } = t;
  const dir = t.siteDir;
  const shards = fs.readdirSync(path.join(dir, 'search', 't'));
  const moved = path.join(dir, 'search', 't-away');
  fs.renameSync(path.join(dir, 'search', 't'), moved);
  let state;
  let live;
  // Failed loads are what this check is about: not reported as errors meanwhile.
  t.report.failing = true;
  try {
    // A fresh page, so that no shard is loaded yet.
    await page.goto(`${t.base}sok/${t.offline ? 'index.html' : ''}?q=sykefrav%C3%A6r`, { waitUntil: 'load' });
    await page.waitForFunction(() => ['incomplete', 'error'].includes(document.getElementById('innsyn-search').dataset.state));
    state = await page.evaluate(() => document.getElementById('innsyn-search').dataset.state);
    live = await page.evaluate(() => document.getElementById('innsyn-search-status').textContent);
  } finally {
    fs.renameSync(moved, path.join(dir, 'search', 't'));
  }
  check(
    'a shard that fails to load: the status says the results may be incomplete',
    state === 'incomplete' && /ufullstendige/.test(live),
    `${state}: ${live} (${shards.length} shards)`,
  );
  const input = page.locator('#innsyn-search-q');
  await input.press('Enter');
  await t.settled();
  const s = await t.shown();
  t.report.failing = false;
  check('the next query loads the shard again and finds pages', s.results.length > 0 && !/ufullstendige/.test(s.live), brief(s));
}

/**
 * One search over two sites: results from both, each labelled with its site
 * and linking into it; a filter per site whose counts add up; ticking one
 * site keeps only its results; a result of the other site opens there.
 */
async function networkChecks(t, other) {
  const { page, check } = t;
  const brief = (s) => JSON.stringify({ live: s.live, results: s.results.map((r) => `${r.title} → ${r.href}`) });
  await t.open();
  let s = await t.type('barnehage');
  const labels = await page.evaluate(() =>
    Array.from(document.querySelectorAll('#innsyn-search-results > li'), (li) => li.querySelector('.search-result-site')?.textContent ?? ''),
  );
  const dalby = s.results.filter((r) => r.href.startsWith(other));
  const fjellby = s.results.filter((r) => r.href.startsWith(t.base));
  check('«barnehage» finds pages on both sites', dalby.length > 0 && fjellby.length > 0, brief(s));
  check('every result is on one of the two sites', dalby.length + fjellby.length === s.results.length, brief(s));
  check(
    'each result is labelled with its site',
    s.results.every((r, i) => labels[i] === (r.href.startsWith(other) ? 'Dalby kommune' : 'Fjellby kommune')),
    JSON.stringify(labels),
  );
  check('the count is of both sites', t.count(s.live) === s.results.length && s.results.length === 4, brief(s));
  if (t.offline) {
    check('offline, results link to index.html', s.results.every((r) => /index\.html(#.*)?$/.test(r.href)), brief(s));
  }
  const options = await t.counts();
  const sites = options.filter((o) => o.filter === 'nettsted');
  check(
    'a filter per site, counting its results',
    sites.length === 2 &&
      sites.find((o) => o.label === 'Dalby kommune')?.count === dalby.length &&
      sites.find((o) => o.label === 'Fjellby kommune')?.count === fjellby.length,
    JSON.stringify(options),
  );
  const theme = options.find((o) => o.filter === 'tema' && o.value === 'oppvekst');
  check('a filter both sites have counts the results of both', theme && theme.count === s.results.length, JSON.stringify(theme));
  s = await t.tick('Nettsted', 'Dalby kommune');
  check(
    'ticking Dalby keeps only its results',
    s.results.length === dalby.length && s.results.every((r) => r.href.startsWith(other)),
    brief(s),
  );
  check('the site filter is kept in the address', /[?&]nettsted=1/.test(s.url), s.url);
  const ticked = (await t.counts()).filter((o) => o.filter === 'nettsted');
  check(
    'with one site ticked, the other still counts its results for the query',
    ticked.find((o) => o.label === 'Fjellby kommune')?.count === fjellby.length &&
      ticked.find((o) => o.label === 'Dalby kommune')?.count === dalby.length,
    JSON.stringify(ticked),
  );
  // The other site's index gone: its name in the status, and the next query
  // (with it back) finds its pages again.
  {
    const away = path.join(t.otherDir, 'search-away');
    t.report.failing = true;
    let live;
    try {
      fs.renameSync(path.join(t.otherDir, 'search'), away);
      await page.goto(`${t.base}sok/${t.offline ? 'index.html' : ''}?q=barnehage`, { waitUntil: 'load' });
      await page.waitForFunction(() => document.getElementById('innsyn-search').dataset.state === 'incomplete');
      live = await page.evaluate(() => document.getElementById('innsyn-search-status').textContent);
    } finally {
      fs.renameSync(away, path.join(t.otherDir, 'search'));
    }
    check('a site that does not answer is named: its results may be missing', /Dalby kommune/.test(live), live);
    const input = page.locator('#innsyn-search-q');
    await input.press('Enter');
    await t.settled();
    const back = await t.shown();
    t.report.failing = false;
    check('the next query takes the site in again', back.results.filter((r) => r.href.startsWith(other)).length === dalby.length, brief(back));
    await t.tick('Nettsted', 'Dalby kommune');
  }
  // A result of the other site opens there.
  await Promise.all([page.waitForURL((u) => u.href.startsWith(other)), page.locator('#innsyn-search-results a').first().click()]);
  const heading = await page.evaluate(() => document.querySelector('h1')?.textContent ?? '');
  check('a Dalby result opens its page on Dalby\'s site', /Dalby/.test(heading), heading);
  // Back, for axe and the screenshots: the search over both sites.
  await t.open('barnehage');
}

async function injectionChecks(t) {
  const { page, check } = t;
  await t.open();
  const s = await t.type('injected');
  const hit = s.results.find((r) => r.excerpt.includes('<script>'));
  check(
    'a <script> from a data cell shows as text in the excerpt',
    hit !== undefined && hit.markup === 0,
    JSON.stringify(s),
  );
  check(
    'no element came from the index',
    await page.evaluate(() => document.querySelectorAll('#innsyn-search-results script, #innsyn-search-results img').length === 0),
    '',
  );
}

function finish(report) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const problems =
    report.failed_checks.length +
    report.outside_requests.length +
    report.console_errors.length +
    report.page_errors.length +
    report.dialogs.length +
    report.axe_violations.length;
  process.exitCode = problems === 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`search.mjs: gave up after ${WHOLE_RUN_TIMEOUT_MS / 1000} s\n`);
  process.exit(2);
}, WHOLE_RUN_TIMEOUT_MS);
watchdog.unref();

main().catch((error) => {
  process.stderr.write(`search.mjs: ${error?.stack || error}\n`);
  process.exit(2);
});
