#!/usr/bin/env node
// Loads report.html in headless Chromium over the DevTools protocol (--remote-debugging-pipe:
// no port, no WebSocket, no npm packages) and checks that it renders:
//   - no uncaught exceptions, console errors, or log errors (CSP violations land there);
//   - no network request at all (the page must be self-contained);
//   - every chart <svg> is laid out (non-zero size) and has data points drawn;
//   - the optional legend toggle works;
//   - the main sections come in the order given with --order (the header, holding the
//     headline, above all of them);
//   - no word in a table cell is split across lines (a narrow column once showed
//     "plainte xt c=64"), and the name cells do not wrap at all;
//   - the file is at most --max-bytes bytes.
// Writes PNG screenshots: the top of the page, one per section named with --shots, and the whole
// page unless --no-full. Exit 0 = all good.
//
// usage: node check_report.js CHROMIUM REPORT_HTML OUT_DIR [--order a,b,c] [--shots a,b]
//                             [--max-bytes N] [--no-full] [--prefix NAME]
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [chromium, reportHtml, outDir, ...rest] = process.argv.slice(2);
if (!chromium || !reportHtml || !outDir) {
  console.error('usage: node check_report.js CHROMIUM REPORT_HTML OUT_DIR [--order a,b,c] ' +
                '[--shots a,b] [--max-bytes N] [--no-full] [--prefix NAME]');
  process.exit(2);
}
const opts = { order: [], shots: [], maxBytes: 0, full: true, prefix: 'report' };
for (let i = 0; i < rest.length; ++i) {
  const a = rest[i];
  if (a === '--order') opts.order = rest[++i].split(',').filter(Boolean);
  else if (a === '--shots') opts.shots = rest[++i].split(',').filter(Boolean);
  else if (a === '--max-bytes') opts.maxBytes = Number(rest[++i]);
  else if (a === '--no-full') opts.full = false;
  else if (a === '--prefix') opts.prefix = rest[++i];
  else { console.error(`unknown option ${a}`); process.exit(2); }
}
fs.mkdirSync(outDir, { recursive: true });
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'benchgate-chromium-'));

const child = spawn(chromium, [
  '--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-default-apps', '--disable-extensions', '--no-first-run', '--no-default-browser-check',
  '--mute-audio', '--hide-scrollbars', `--user-data-dir=${profile}`, '--remote-debugging-pipe',
  'about:blank',
], { stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'], detached: true });
// detached: Chromium and its helper processes get a process group of their own, so the whole
// group can be stopped before its profile folder is removed.
const exited = new Promise((resolve) => child.once('exit', resolve));

let stderr = '';
child.stderr.on('data', (d) => { stderr += d; });
const toBrowser = child.stdio[3];
const fromBrowser = child.stdio[4];

let nextId = 1;
const pending = new Map();
const listeners = [];
let buffer = Buffer.alloc(0);
fromBrowser.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  let end;
  while ((end = buffer.indexOf(0)) >= 0) {
    const msg = JSON.parse(buffer.subarray(0, end).toString('utf8'));
    buffer = buffer.subarray(end + 1);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) l(msg);
    }
  }
});

function send(method, params = {}, sessionId) {
  const id = nextId++;
  const msg = { id, method, params };
  if (sessionId) msg.sessionId = sessionId;
  toBrowser.write(JSON.stringify(msg) + '\0');
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}
function waitFor(method, timeoutMs) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timeout waiting for ${method}`)), timeoutMs);
    listeners.push((m) => { if (m.method === method) { clearTimeout(t); resolve(m.params); } });
  });
}

const problems = [];
const notes = [];

async function main() {
  const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
  const s = (method, params) => send(method, params, sessionId);

  const url = 'file://' + path.resolve(reportHtml);
  listeners.push((m) => {
    if (m.sessionId !== sessionId) return;
    const p = m.params;
    switch (m.method) {
      case 'Runtime.exceptionThrown':
        problems.push(`Uncaught exception: ${p.exceptionDetails.text} ${
          p.exceptionDetails.exception ? p.exceptionDetails.exception.description : ''}`);
        break;
      case 'Runtime.consoleAPICalled':
        if (p.type === 'error' || p.type === 'assert') {
          problems.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
        } else {
          notes.push(`console.${p.type}: ${p.args.map((a) => a.value ?? a.description).join(' ')}`);
        }
        break;
      case 'Log.entryAdded':
        if (p.entry.level === 'error') problems.push(`log error (${p.entry.source}): ${p.entry.text}`);
        else if (p.entry.level === 'warning') notes.push(`log warning: ${p.entry.text}`);
        break;
      case 'Network.requestWillBeSent':
        if (p.request.url !== url && !p.request.url.startsWith('data:')) {
          problems.push(`network request: ${p.request.url}`);
        }
        break;
      case 'Network.loadingFailed':
        if (!p.canceled) problems.push(`loading failed: ${p.errorText} (${p.blockedReason || ''})`);
        break;
    }
  });
  await s('Runtime.enable');
  await s('Log.enable');
  await s('Network.enable');
  await s('Page.enable');
  await s('Emulation.setDeviceMetricsOverride',
          { width: 1400, height: 1000, deviceScaleFactor: 1, mobile: false });
  const loaded = waitFor('Page.loadEventFired', 20000);
  const nav = await s('Page.navigate', { url });
  if (nav.errorText) throw new Error(`navigation failed: ${nav.errorText}`);
  await loaded;
  await new Promise((r) => setTimeout(r, 300));

  // Inspect the rendered page.
  const probe = await s('Runtime.evaluate', {
    returnByValue: true,
    expression: `(() => {
      const charts = [...document.querySelectorAll('svg.chart')].map((svg) => {
        const box = svg.getBoundingClientRect();
        const drawn = [...svg.querySelectorAll('polyline, circle.pt')]
          .filter((e) => e.getBoundingClientRect().width + e.getBoundingClientRect().height > 0);
        return { id: svg.id, declared: Number(svg.dataset.points || 0), drawn: drawn.length,
                 width: box.width, height: box.height,
                 nodata: !!svg.querySelector('.nodata') && !svg.classList.contains('forest') };
      });
      return { title: document.title, charts,
               sections: [...document.querySelectorAll('main > section')].map((e) => e.id),
               verdictRows: document.querySelectorAll('#verdicts tbody tr').length,
               overflowX: document.documentElement.scrollWidth > window.innerWidth + 1 };
    })()`,
  });
  const info = probe.result.value;
  console.log(`title: ${info.title}`);
  console.log(`sections: ${info.sections.join(', ')}`);
  console.log(`verdict rows: ${info.verdictRows}`);
  if (info.charts.length === 0) problems.push('no charts');
  for (const c of info.charts) {
    console.log(`chart ${c.id}: ${c.declared} points, ${c.drawn} drawn marks, ` +
                `${Math.round(c.width)}x${Math.round(c.height)}`);
    if (c.declared <= 0) problems.push(`chart ${c.id} has no data points`);
    if (c.drawn <= 0) problems.push(`chart ${c.id} draws nothing`);
    if (c.width < 100 || c.height < 50) problems.push(`chart ${c.id} is not laid out`);
    if (c.nodata) problems.push(`chart ${c.id} says "no data"`);
  }
  if (info.overflowX) problems.push('the page scrolls horizontally at 1400 px');

  // The order of the main sections, and the header (the headline) above them.
  const layout = await s('Runtime.evaluate', {
    returnByValue: true,
    expression: `(() => {
      const top = (e) => e.getBoundingClientRect().top + window.scrollY;
      const header = document.querySelector('header');
      const status = document.querySelector('header .status');
      return {
        headerBottom: header ? top(header) + header.getBoundingClientRect().height : -1,
        status: status ? status.textContent : null,
        sections: [...document.querySelectorAll('main > section')].map((e) => ({ id: e.id, top: top(e) })),
      };
    })()`,
  });
  const lay = layout.result.value;
  if (!lay.status) problems.push('no headline (header .status)');
  let last = lay.headerBottom;
  for (const id of opts.order) {
    const sec = lay.sections.find((x) => x.id === id || (id.endsWith('*') && x.id.startsWith(id.slice(0, -1))));
    if (!sec) { problems.push(`section ${id} is missing`); continue; }
    if (!(sec.top >= last)) problems.push(`section ${id} (at ${Math.round(sec.top)} px) is not below the one before (${Math.round(last)} px)`);
    last = sec.top;
  }
  if (opts.order.length) console.log(`order: header, ${opts.order.join(', ')}: checked`);

  // No word of a table cell split across lines, and name cells on one line.
  const wrap = await s('Runtime.evaluate', {
    returnByValue: true,
    expression: `(() => {
      const split = [];
      let words = 0, cells = 0, wrappedNames = 0;
      const range = document.createRange();
      for (const cell of document.querySelectorAll('main table td, main table th')) {
        if (!cell.getClientRects().length) continue;  // inside a closed <details>
        ++cells;
        if (cell.classList.contains('name')) {
          const cs = getComputedStyle(cell);
          if (cs.whiteSpace !== 'nowrap') wrappedNames++;
        }
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const re = /\\S+/g;
          let m;
          while ((m = re.exec(node.data))) {
            ++words;
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
            if (tops.size > 1 && split.length < 10) split.push(m[0]);
          }
        }
      }
      return { split, words, cells, wrappedNames };
    })()`,
  });
  const w = wrap.result.value;
  console.log(`table text: ${w.cells} cells, ${w.words} words, ${w.split.length} split across lines`);
  for (const word of w.split) problems.push(`a table cell breaks inside the word "${word}"`);
  if (w.wrappedNames) problems.push(`${w.wrappedNames} name cells may wrap (white-space is not nowrap)`);

  const bytes = fs.statSync(reportHtml).size;
  console.log(`size: ${bytes} bytes`);
  if (opts.maxBytes && bytes > opts.maxBytes) problems.push(`${bytes} bytes, more than ${opts.maxBytes}`);

  // The legend toggle hides and shows a series.
  const toggle = await s('Runtime.evaluate', {
    returnByValue: true,
    expression: `(() => {
      const item = document.querySelector('svg.chart .legend-item');
      if (!item) return 'no legend';
      const svg = item.closest('svg');
      const group = item.getAttribute('data-group');
      const series = [...svg.querySelectorAll('.series')].filter((e) => e.getAttribute('data-group') === group);
      item.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      const hidden = series.every((e) => getComputedStyle(e).display === 'none');
      item.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      const shown = series.every((e) => getComputedStyle(e).display !== 'none');
      return hidden && shown ? 'ok' : 'hidden=' + hidden + ' shown=' + shown;
    })()`,
  });
  if (toggle.result.value !== 'ok') problems.push(`legend toggle: ${toggle.result.value}`);

  // Screenshots: the top of the page, the sections asked for, and the whole page.
  const shot = async (name, clip) => {
    const img = await s('Page.captureScreenshot', clip
      ? { format: 'png', captureBeyondViewport: true, clip: { ...clip, scale: 1 } }
      : { format: 'png' });
    const file = path.join(outDir, `${opts.prefix}-${name}.png`);
    fs.writeFileSync(file, Buffer.from(img.data, 'base64'));
    return file;
  };
  const shots = [await shot('top')];
  for (const id of opts.shots) {
    const box = await s('Runtime.evaluate', {
      returnByValue: true,
      expression: `(() => { const e = document.getElementById(${JSON.stringify(id)});
        if (!e) return null; const r = e.getBoundingClientRect();
        return { x: 0, y: r.top + window.scrollY - 8, width: document.documentElement.clientWidth,
                 height: Math.min(r.height + 16, 2400) }; })()`,
    });
    if (box.result.value) shots.push(await shot(id, box.result.value));
    else problems.push(`no element #${id} to take a screenshot of`);
  }
  const metrics = await s('Page.getLayoutMetrics');
  const size = metrics.cssContentSize || metrics.contentSize;
  if (opts.full) {
    shots.push(await shot('full', { x: 0, y: 0, width: Math.ceil(size.width),
                                    height: Math.min(Math.ceil(size.height), 16000) }));
  }
  console.log(`page ${Math.ceil(size.width)}x${Math.ceil(size.height)}; screenshots: ${shots.join(', ')}`);
  await send('Browser.close').catch(() => {});
}

const watchdog = setTimeout(() => {
  problems.push('timed out after 60 s');
  finish();
}, 60000);

let finished = false;
async function finish() {
  if (finished) return;
  finished = true;
  clearTimeout(watchdog);
  // Stop Chromium's whole process group (its renderer and utility processes write into the
  // profile too), wait for the main process to exit, then remove the profile; retries cover
  // a helper that flushes a last file.
  try { process.kill(-child.pid, 'SIGKILL'); } catch (e) { /* gone */ }
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  try {
    fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  } catch (e) {
    notes.push(`could not remove ${profile}: ${e.code || e}`);
  }
  for (const n of notes) console.log(`note: ${n}`);
  if (problems.length) {
    for (const p of problems) console.error(`FAIL: ${p}`);
    if (stderr.trim()) console.error(`chromium stderr (tail):\n${stderr.trim().split('\n').slice(-20).join('\n')}`);
    process.exit(1);
  }
  console.log('report.html renders: no errors, no network, every chart has data');
  process.exit(0);
}

main().then(finish, (e) => { problems.push(String(e && e.stack || e)); finish(); });
