#!/usr/bin/env node
// Reads innsyn's WARC of the example site through a wayback player (pywb) in
// headless Chromium, as a reader of a web archive would: the home page, a
// mandate, a chart page, and the search page with a query typed in and its
// first fitting result followed. Every page is opened in the player's frame, at
// its archived address. Reports, as JSON on stdout, every check that failed,
// every request that left the player, every response of the player that failed
// (status 400 or more), and page errors in the archived pages.
//
// Usage: node tests/browser/replay.mjs PLAYER SITE
//   PLAYER  the collection in the player: http://127.0.0.1:PORT/COLLECTION/
//   SITE    the site's address as archived (its base_url): https://innsyn.example.org/
//
// Exit status: 0 clean, 1 problems found, 2 usage error or crash.
// Environment: CHROMIUM (default /usr/bin/chromium); INNSYN_TOOLS, the folder
// scripts/test installs the npm packages into (default .tools/ at the repo root).

import { CHROMIUM_ARGS, requireTool } from './common.mjs';

const USAGE = 'usage: node tests/browser/replay.mjs PLAYER SITE';
const WAIT_MS = 20_000;
const WHOLE_RUN_TIMEOUT_MS = 3 * 60_000;

const [player, site, ...rest] = process.argv.slice(2);
if (!player || !site || rest.length > 0) {
  process.stderr.write(`replay.mjs: ${USAGE}\n`);
  process.exit(2);
}
if (!/^http:\/\/127\.0\.0\.1:\d+\/[^/]+\/$/.test(player) || !/^https?:\/\/.*\/$/.test(site)) {
  process.stderr.write(`replay.mjs: PLAYER must be http://127.0.0.1:PORT/COLLECTION/ and SITE end in /\n${USAGE}\n`);
  process.exit(2);
}
const origin = new URL(player).origin + '/';

setTimeout(() => {
  process.stderr.write(`replay.mjs: gave up after ${WHOLE_RUN_TIMEOUT_MS / 1000} s\n`);
  process.exit(2);
}, WHOLE_RUN_TIMEOUT_MS).unref();

const report = {
  player,
  site,
  checks_run: [],
  failed_checks: [],
  outside_requests: [],
  failed_responses: [],
  page_errors: [],
};

/** Records a check; `ok` false adds it to the failures with `detail`. */
function check(name, ok, detail) {
  report.checks_run.push(name);
  if (!ok) report.failed_checks.push({ name, detail: String(detail) });
  return ok;
}

/** The frame of the player that shows the archived page (its address has `mp_/`). */
async function replayFrame(page, path) {
  const want = `mp_/${site}${path}`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const frame = page.frames().find((f) => f.url().includes(want));
    if (frame) {
      await frame.waitForLoadState('load');
      return frame;
    }
    if (Date.now() > deadline) {
      throw new Error(`no frame shows ${site}${path}; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
    }
    await page.waitForTimeout(100);
  }
}

/** Opens `path` of the site in the player and returns the frame showing it. */
async function open(page, path) {
  await page.goto(`${player}${site}${path}`, { waitUntil: 'load' });
  return replayFrame(page, path);
}

/** What every archived page must show: its title, its heading, innsyn's style sheet applied. */
async function looksRight(frame, name, title) {
  const seen = await frame.evaluate(() => {
    const skip = document.querySelector('.skip-link');
    return {
      title: document.title,
      h1: document.querySelector('main h1, h1')?.textContent?.trim() ?? '',
      // innsyn.css moves the skip link out of sight until it has focus.
      styled: skip ? getComputedStyle(skip).position !== 'static' : false,
      base: document.querySelector('link[rel="canonical"]')?.getAttribute('href') ?? '',
    };
  });
  check(`${name}: the title is «${title}»`, seen.title.includes(title), JSON.stringify(seen));
  check(`${name}: the page has a heading`, seen.h1.length > 0, JSON.stringify(seen));
  check(`${name}: innsyn.css is applied`, seen.styled, JSON.stringify(seen));
  return seen;
}

async function main() {
  const { chromium } = requireTool('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    // Only the player may be asked for anything: the archive must hold the whole site.
    const inside = (url) => url.startsWith(origin) || /^(data|blob|about):/.test(url);
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (inside(url)) return route.continue();
      if (!report.outside_requests.includes(url)) report.outside_requests.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on('response', (response) => {
      if (response.url().startsWith(origin) && response.status() >= 400) {
        report.failed_responses.push(`${response.status()} ${response.url()}`);
      }
    });
    page.on('pageerror', (error) => report.page_errors.push(String(error?.stack || error)));

    // The home page.
    let frame = await open(page, '');
    await looksRight(frame, 'home page', 'innsyn – eksempelnettsted');

    // A mandate, reached by its link on the mandates' page.
    frame = await open(page, 'mandater/');
    await looksRight(frame, 'mandates', 'Prosjektmandater');
    await frame.locator('main a[href*="a9-innbyggertorg"]').first().click();
    frame = await replayFrame(page, 'mandater/a9-innbyggertorg/');
    await looksRight(frame, 'mandate', 'A9 Innbyggertorg');
    const facts = await frame.locator('main dl, main table').count();
    check('mandate: its fact box is shown', facts > 0, `${facts} fact lists`);

    // A chart page: the SVG is drawn and its data file is in the archive too.
    frame = await open(page, 'nettverk/arsverksbehov-time/');
    await looksRight(frame, 'chart page', 'Årsverksbehov i Time');
    const chart = await frame.evaluate(async () => {
      const svg = document.querySelector('figure svg[role="img"]');
      const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
      const csv = document.querySelector('figure a[href$=".csv"]');
      const fetched = csv ? await fetch(csv.href).then((r) => r.status + ' ' + r.headers.get('content-type'), (e) => String(e)) : 'no link';
      return { width: box.width, height: box.height, csv: csv?.href ?? null, fetched };
    });
    check('chart page: the chart is drawn', chart.width > 100 && chart.height > 100, JSON.stringify(chart));
    check('chart page: its data file comes from the archive', /^200 text\/csv/.test(chart.fetched), JSON.stringify(chart));

    // Search: the index shards load through the player, a query finds a page,
    // and its result opens that page.
    frame = await open(page, 'sok/');
    await looksRight(frame, 'search page', 'Søk');
    const input = frame.locator('#innsyn-search-q');
    await input.focus();
    await input.pressSequentially('innbyggjarane', { delay: 25 });
    await frame.waitForFunction(() => {
      const box = document.getElementById('innsyn-search');
      return box && box.dataset.state === 'done' && document.getElementById('innsyn-search-q').value === 'innbyggjarane';
    });
    const results = await frame.evaluate(() =>
      Array.from(document.querySelectorAll('#innsyn-search-results > li a'), (a) => a.href),
    );
    const hit = results.find((href) => href.includes('nettverk/arsverksbehov-time/'));
    check('search: «innbyggjarane» finds the Time page', hit !== undefined, results.join(' '));
    if (hit) {
      await frame.locator('#innsyn-search-results > li a[href*="arsverksbehov-time"]').first().click();
      frame = await replayFrame(page, 'nettverk/arsverksbehov-time/');
      await looksRight(frame, 'search result', 'Årsverksbehov i Time');
    }
  } finally {
    await browser.close();
  }
  const problems =
    report.failed_checks.length + report.outside_requests.length + report.failed_responses.length + report.page_errors.length;
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((error) => {
  report.page_errors.push(`replay.mjs crashed: ${error?.stack || error}`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  process.exit(2);
});
