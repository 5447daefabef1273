// Median time and bytes of typical queries on a built site, in headless Chromium.
// Usage: node tests/browser/query-bench.mjs SITE_DIR WORD... (an offline build; run ./scripts/test --install-only first)
// median_ms is what search.js measures from the query to the first page of results on
// screen (data-ms), median_first_ms to the first result on screen (data-first-ms),
// median_count_ms to the number of results on screen after them (data-count-ms);
// median_ms_with_driver adds the round trips of the browser driver (typing, polling).
import { statSync } from 'node:fs';
import { CHROMIUM_ARGS, requireTool } from './common.mjs';
const { chromium } = requireTool('playwright-core');
const [site, ...words] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
const times = [], inPage = [], first = [], counted = [], bytes = [];
for (let i = 0; i < 50; i++) {
  const q = words[i % words.length];
  const ctx = await b.newContext(); const p = await ctx.newPage();
  const loaded = new Set();
  p.on('requestfinished', r => { const u = r.url(); if (u.includes('/search/')) loaded.add(u); });
  await p.goto('file://' + site + '/sok/index.html');
  await p.waitForFunction(() => document.getElementById('innsyn-search').getAttribute('data-state') !== 'busy');
  loaded.clear();
  const t0 = Date.now();
  await p.fill('#innsyn-search-q', q);
  await p.press('#innsyn-search-q', 'Enter');
  await p.waitForFunction(() => document.getElementById('innsyn-search').getAttribute('data-state') === 'done' && document.querySelectorAll('#innsyn-search-results li').length > 0, null, { timeout: 20000 }).catch(() => {});
  times.push(Date.now() - t0);
  inPage.push(Number(await p.getAttribute('#innsyn-search', 'data-ms')));
  first.push(Number(await p.getAttribute('#innsyn-search', 'data-first-ms')));
  counted.push(Number(await p.getAttribute('#innsyn-search', 'data-count-ms')));
  let n = 0; for (const u of loaded) { try { n += statSync(decodeURIComponent(new URL(u).pathname)).size; } catch {} }
  bytes.push(n);
  await ctx.close();
}
await b.close();
const med = a => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(JSON.stringify({ queries: words, median_ms: med(inPage), max_ms: Math.max(...inPage), median_first_ms: med(first), median_count_ms: med(counted), median_ms_with_driver: med(times), median_bytes: med(bytes), max_bytes: Math.max(...bytes) }));
