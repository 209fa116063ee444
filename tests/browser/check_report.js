#!/usr/bin/env node
// Loads report.html in headless Chromium over the DevTools protocol (--remote-debugging-pipe:
// no port, no WebSocket, no npm packages) and checks that it renders:
//   - no uncaught exceptions, console errors, or log errors (CSP violations land there);
//   - no network request at all (the page must be self-contained);
//   - every chart <svg> is laid out (non-zero size) and has data points drawn;
//   - the optional legend toggle works.
// Writes full-page and top-of-page PNG screenshots. Exit 0 = all good.
//
// usage: node check_report.js CHROMIUM REPORT_HTML OUT_DIR
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [chromium, reportHtml, outDir] = process.argv.slice(2);
if (!chromium || !reportHtml || !outDir) {
  console.error('usage: node check_report.js CHROMIUM REPORT_HTML OUT_DIR');
  process.exit(2);
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

  // Screenshots: the top of the page, and the whole page.
  const top = await s('Page.captureScreenshot', { format: 'png' });
  fs.writeFileSync(path.join(outDir, 'report-top.png'), Buffer.from(top.data, 'base64'));
  const metrics = await s('Page.getLayoutMetrics');
  const size = metrics.cssContentSize || metrics.contentSize;
  const full = await s('Page.captureScreenshot', {
    format: 'png', captureBeyondViewport: true,
    clip: { x: 0, y: 0, width: Math.ceil(size.width), height: Math.ceil(size.height), scale: 1 },
  });
  fs.writeFileSync(path.join(outDir, 'report-full.png'), Buffer.from(full.data, 'base64'));
  console.log(`screenshots: ${path.join(outDir, 'report-top.png')}, report-full.png ` +
              `(${Math.ceil(size.width)}x${Math.ceil(size.height)})`);
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
