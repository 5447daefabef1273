// What the browser scripts share: the browser tools in .tools/ (or $INNSYN_TOOLS),
// Chromium's flags, and the accessibility rules and screen widths they check.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const toolsDir = path.resolve(process.env.INNSYN_TOOLS || path.join(here, '..', '..', '.tools'));
// The packages live in .tools/, not beside the scripts, so resolve them from there.
export const requireTool = createRequire(path.join(toolsDir, 'node_modules', 'innsyn-browser.cjs'));

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
export const REPORTED_IMPACTS = new Set(['serious', 'critical']);
export const SCREENSHOT_WIDTHS = [1280, 375];
