// Takes the pictures for the author guide's «Kom i gang»: terminal windows showing
// what innsyn.exe really printed (captured by scripts/screenshots), and a page in
// the browser.
//
// Usage: node scripts/screenshots.mjs SHOTS.json
//   SHOTS.json: [{ "out": "x.png", "prompt": "PS C:\\…>", "command": ".\\innsyn",
//                  "output": "what it printed" }
//                | { "out": "y.png", "url": "http://127.0.0.1:1111/" }, …]
// Environment: CHROMIUM (default /usr/bin/chromium); INNSYN_TOOLS, the folder
// holding node_modules/playwright-core (default .tools/).
import fs from 'node:fs';
import { CHROMIUM_ARGS, requireTool } from '../tests/browser/common.mjs';

const escape = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// A PowerShell window as Windows Terminal draws it, with the text as innsyn wrote it.
function terminal(shot) {
  const lines = `<span class="prompt">${escape(shot.prompt)}</span> ${escape(shot.command)}\n${escape(shot.output)}`;
  return `<!doctype html><html lang="nb"><meta charset="utf-8"><style>
  body { margin: 0; background: #fff; }
  .window { display: inline-block; min-width: 760px; border: 1px solid #5a5a5a; border-radius: 8px; overflow: hidden;
            font: 15px/1.45 "DejaVu Sans Mono", monospace; }
  .bar { background: #2b2b2b; color: #fff; font: 13px "Liberation Sans", sans-serif; padding: 8px 14px; }
  .bar span { background: #0c0c0c; padding: 7px 14px; border-radius: 6px 6px 0 0; }
  pre { margin: 0; padding: 14px 18px 18px; background: #0c0c0c; color: #cccccc; font: inherit; white-space: pre; }
  .prompt { color: #cccccc; }
</style><div class="window"><div class="bar"><span>Windows PowerShell</span></div><pre>${lines}</pre></div></html>`;
}

const shots = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const { chromium } = requireTool('playwright-core');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  for (const shot of shots) {
    if (shot.url) {
      const page = await browser.newPage({ viewport: { width: 1000, height: 620 } });
      await page.goto(shot.url, { waitUntil: 'load' });
      await page.screenshot({ path: shot.out });
      await page.close();
    } else {
      const page = await browser.newPage({ viewport: { width: 1200, height: 200 } });
      await page.setContent(terminal(shot), { waitUntil: 'load' });
      await page.locator('.window').screenshot({ path: shot.out });
      await page.close();
    }
    console.log(`wrote ${shot.out}`);
  }
} finally {
  await browser.close();
}
