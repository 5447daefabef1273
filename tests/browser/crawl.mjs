#!/usr/bin/env node
// Crawls a built innsyn site from file:// URLs in headless Chromium and reports,
// as JSON on stdout, everything a reader of the offline site would trip over:
// broken links and anchors, requests that leave the site folder, console and
// page errors, and serious or critical axe-core accessibility violations.
//
// Usage: node tests/browser/crawl.mjs SITE_DIR [--screenshots OUTDIR] [--pages N]
//
// Exit status: 0 clean, 1 problems found, 2 usage error or crash.
// Environment: CHROMIUM (default /usr/bin/chromium); INNSYN_TOOLS, the folder
// scripts/test installs the npm packages into (default .tools/ at the repo root).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { AXE_TAGS, CHROMIUM_ARGS, REPORTED_IMPACTS, SCREENSHOT_WIDTHS, requireTool } from './common.mjs';

/** Phone widths no page may overflow. */
const NARROW_WIDTHS = [320, 375];

const USAGE = 'usage: node tests/browser/crawl.mjs SITE_DIR [--screenshots OUTDIR] [--pages N]';
const NAVIGATION_TIMEOUT_MS = 15_000;
const WHOLE_RUN_TIMEOUT_MS = 10 * 60_000;

function usage(message) {
  process.stderr.write(`crawl.mjs: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { site: null, screenshots: null, pages: Infinity };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--screenshots' || arg === '--pages') {
      const value = argv[++i];
      if (value === undefined) usage(`${arg} needs a value`);
      if (arg === '--screenshots') opts.screenshots = path.resolve(value);
      else {
        opts.pages = Number.parseInt(value, 10);
        if (!(opts.pages > 0)) usage(`--pages needs a positive number, not '${value}'`);
      }
    } else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else if (arg.startsWith('-')) {
      usage(`unknown option '${arg}'`);
    } else if (opts.site === null) {
      opts.site = arg;
    } else {
      usage(`unexpected argument '${arg}'`);
    }
  }
  if (opts.site === null) usage('missing SITE_DIR');
  return opts;
}


/** Paths inside the site are reported relative to it, with forward slashes. */
function relativePath(siteDir, file) {
  return path.relative(siteDir, file).split(path.sep).join('/');
}

function isInside(siteDir, file) {
  const rel = path.relative(siteDir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function screenshotName(pagePath, width) {
  const stem = pagePath.replace(/\.html?$/, '').replace(/[^A-Za-z0-9._-]+/g, '__') || 'index';
  return `${stem}-${width}.png`;
}

function decodeFragment(hash) {
  const raw = hash.replace(/^#/, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (!fs.statSync(opts.site, { throwIfNoEntry: false })?.isDirectory()) usage(`${opts.site} is not a folder`);
  const siteDir = fs.realpathSync(path.resolve(opts.site));
  const start = path.join(siteDir, 'index.html');

  const report = {
    site: siteDir,
    pages_visited: 0,
    pages: [],
    broken_links: [],
    outside_requests: [],
    console_errors: [],
    page_errors: [],
    axe_violations: [],
    too_wide: [],
    external_links: [],
    unreached_pages: [],
    screenshots: [],
  };

  if (!fs.existsSync(start)) {
    report.broken_links.push({ page: null, href: 'index.html', target: 'index.html', reason: 'the site has no index.html' });
    return finish(report);
  }

  const { chromium } = requireTool('playwright-core');
  const axeSource = fs.readFileSync(requireTool.resolve('axe-core/axe.min.js'), 'utf8');
  if (opts.screenshots) fs.mkdirSync(opts.screenshots, { recursive: true });

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({ viewport: { width: SCREENSHOT_WIDTHS[0], height: 900 } });
    const page = await context.newPage();
    page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT_MS);

    let current = null; // the site path of the page being visited
    const outsideSeen = new Set();
    const failedResources = new Set();

    const recordOutside = (url) => {
      const key = `${current}\n${url}`;
      if (outsideSeen.has(key)) return;
      outsideSeen.add(key);
      report.outside_requests.push({ page: current, url });
    };
    const insideSite = (url) => {
      if (!url.startsWith('file:')) return false;
      try {
        return isInside(siteDir, fileURLToPath(url.split(/[?#]/)[0]));
      } catch {
        return false;
      }
    };

    // Every request the page makes must stay inside the site folder; anything
    // else (a CDN font, an analytics script, a file:// outside) is aborted.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (insideSite(url) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
      recordOutside(url);
      return route.abort('blockedbyclient');
    });
    // Belt and braces: also record requests the router might not see (workers, say).
    page.on('request', (request) => {
      const url = request.url();
      if (!insideSite(url) && !url.startsWith('data:') && !url.startsWith('blob:')) recordOutside(url);
    });
    page.on('requestfailed', (request) => {
      const url = request.url();
      if (!insideSite(url) || failedResources.has(`${current}\n${url}`)) return;
      failedResources.add(`${current}\n${url}`);
      const target = relativePath(siteDir, fileURLToPath(url.split(/[?#]/)[0]));
      report.broken_links.push({
        page: current,
        href: url,
        target,
        reason: `the page loads ${target}, which failed: ${request.failure()?.errorText ?? 'unknown error'}`,
      });
    });
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const url = message.location()?.url ?? '';
      // A failed load is already reported, better, as a broken link or outside request.
      if (/^Failed to load resource/.test(message.text()) && (failedResources.has(`${current}\n${url}`) || !insideSite(url))) return;
      report.console_errors.push({ page: current, text: message.text(), url });
    });
    page.on('pageerror', (error) => {
      report.page_errors.push({ page: current, text: String(error?.stack || error) });
    });

    // BFS over the site's HTML files. Links are checked after the crawl, once
    // the ids of every target page are known.
    const queue = ['index.html'];
    const queued = new Set(queue);
    const anchors = new Map(); // site path -> Set of ids and names
    const links = []; // { page, href, url }

    const visit = async (pagePath, { audit }) => {
      current = pagePath;
      const response = await page.goto(pathToFileURL(path.join(siteDir, pagePath)).href, { waitUntil: 'load' });
      if (response && !response.ok()) throw new Error(`status ${response.status()}`);
      const found = await page.evaluate(() => ({
        ids: [
          ...Array.from(document.querySelectorAll('[id]'), (el) => el.id),
          ...Array.from(document.querySelectorAll('a[name]'), (el) => el.getAttribute('name')),
        ],
        links: Array.from(document.querySelectorAll('a[href], area[href]'), (el) => ({
          href: el.getAttribute('href'),
          url: el.href,
        })),
      }));
      anchors.set(pagePath, new Set(found.ids));
      if (!audit) return;
      for (const link of found.links) links.push({ page: pagePath, ...link });

      // Evaluated through the DevTools protocol, so a page's CSP can't block it.
      await page.evaluate(`${axeSource}\n;0`);
      const results = await page.evaluate(
        // preload: false, or axe fetches each stylesheet with XHR, which file:// pages may not do.
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
          page: pagePath,
          nodes: v.nodes.length,
          targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')),
        });
      }

      // No page may be wider than a small phone: a wide table or chart scrolls in
      // its own box instead.
      for (const width of NARROW_WIDTHS) {
        await page.setViewportSize({ width, height: 900 });
        const wide = await page.evaluate(() => document.documentElement.scrollWidth);
        if (wide > width) report.too_wide.push({ page: pagePath, viewport: width, width: wide });
      }
      await page.setViewportSize({ width: SCREENSHOT_WIDTHS[0], height: 900 });

      if (opts.screenshots) {
        for (const width of SCREENSHOT_WIDTHS) {
          await page.setViewportSize({ width, height: 900 });
          const file = path.join(opts.screenshots, screenshotName(pagePath, width));
          await page.screenshot({ path: file, fullPage: true });
          report.screenshots.push(file);
        }
        await page.setViewportSize({ width: SCREENSHOT_WIDTHS[0], height: 900 });
      }
    };

    const tryVisit = async (pagePath, audit) => {
      try {
        await visit(pagePath, { audit });
        return true;
      } catch (error) {
        report.page_errors.push({ page: pagePath, text: `could not load the page: ${error.message}` });
        return false;
      }
    };

    while (queue.length > 0 && report.pages.length < opts.pages) {
      const pagePath = queue.shift();
      report.pages.push(pagePath);
      const loaded = await tryVisit(pagePath, true);
      if (!loaded) continue;
      for (const link of links.filter((l) => l.page === pagePath)) {
        const target = classify(siteDir, link);
        if (target.kind === 'page' && !queued.has(target.path)) {
          queued.add(target.path);
          queue.push(target.path);
        }
      }
    }
    report.pages_visited = report.pages.length;
    // For information, not a failure: pages no link leads to (404.html, say).
    const visited = new Set(report.pages);
    report.unreached_pages = fs
      .readdirSync(siteDir, { recursive: true })
      .map((file) => String(file).split(path.sep).join('/'))
      .filter((file) => /\.html?$/i.test(file) && !visited.has(file))
      .sort();

    const checked = new Set();
    const external = new Map(); // href -> { href, first_page, pages }
    for (const link of links) {
      const key = `${link.page}\n${link.href}`;
      if (checked.has(key)) continue;
      checked.add(key);
      const target = classify(siteDir, link);
      if (target.kind === 'external') {
        const seen = external.get(link.href) ?? { href: link.href, first_page: link.page, pages: 0 };
        seen.pages += 1;
        external.set(link.href, seen);
      } else if (target.kind === 'broken') {
        report.broken_links.push({ page: link.page, href: link.href, target: target.path, reason: target.reason });
      } else if (target.kind === 'page' && target.fragment) {
        // A page beyond --pages is loaded only for its ids; one that failed to load is reported already.
        if (!anchors.has(target.path) && (report.pages.includes(target.path) || !(await tryVisit(target.path, false)))) continue;
        const ids = anchors.get(target.path);
        if (!ids.has(target.fragment) && target.fragment.toLowerCase() !== 'top') {
          report.broken_links.push({
            page: link.page,
            href: link.href,
            target: `${target.path}#${target.fragment}`,
            reason: `${target.path} has no element with id or name '${target.fragment}'`,
          });
        }
      }
    }
    // For information: links out of the site are not followed.
    report.external_links = [...external.values()].sort((a, b) => a.href.localeCompare(b.href));
  } finally {
    await browser.close();
  }
  return finish(report);
}

/**
 * Sorts one link into: `skip` (mailto: and the like), `external` (http(s),
 * not followed), `broken` (with a reason), `page` (an HTML file in the site,
 * with its fragment), or `file` (any other file in the site).
 */
function classify(siteDir, link) {
  let url;
  try {
    url = new URL(link.url);
  } catch {
    return { kind: 'broken', path: link.href, reason: 'the href is not a valid URL' };
  }
  if (['mailto:', 'tel:', 'data:'].includes(url.protocol)) return { kind: 'skip' };
  if (url.protocol === 'http:' || url.protocol === 'https:') return { kind: 'external' };
  if (url.protocol !== 'file:') {
    return { kind: 'broken', path: link.href, reason: `a ${url.protocol} link does nothing useful offline` };
  }
  const fragment = decodeFragment(url.hash);
  url.hash = '';
  url.search = '';
  const file = fileURLToPath(url);
  if (!isInside(siteDir, file)) {
    return { kind: 'broken', path: file, reason: 'the link points outside the site folder' };
  }
  const rel = relativePath(siteDir, file);
  let stat = null;
  try {
    stat = fs.statSync(file);
  } catch {
    return { kind: 'broken', path: rel, reason: `${rel} does not exist` };
  }
  if (stat.isDirectory()) {
    return {
      kind: 'broken',
      path: rel || '.',
      reason: 'the link goes to a folder, which file:// shows as a file listing; offline links must end in index.html',
    };
  }
  if (/\.html?$/i.test(file)) return { kind: 'page', path: rel, fragment };
  return { kind: 'file', path: rel };
}

function finish(report) {
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  const problems =
    report.broken_links.length +
    report.outside_requests.length +
    report.console_errors.length +
    report.page_errors.length +
    report.axe_violations.length;
  process.exitCode = problems === 0 ? 0 : 1;
}

const watchdog = setTimeout(() => {
  process.stderr.write(`crawl.mjs: gave up after ${WHOLE_RUN_TIMEOUT_MS / 1000} s\n`);
  process.exit(2);
}, WHOLE_RUN_TIMEOUT_MS);
watchdog.unref();

main().catch((error) => {
  process.stderr.write(`crawl.mjs: ${error?.stack || error}\n`);
  process.exit(2);
});
