// Outside ends of the notifier for tests: a real SMTP server (Debian's
// python3-aiosmtpd, tests/tools/smtp_sink.py), an SMS provider's webhook
// (a node HTTP server on loopback), and a second iCalendar parser (Debian's
// python3-icalendar).
//
//   const sink = await startSmtpSink();   // sink.port, await sink.next()
//   const sms = await startSmsWebhook();  // sms.url, await sms.next()
//   const events = parseIcs(text);        // [{summary, start, uid, alarms}]
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './daemon.mjs';

const PYTHON = '/usr/bin/python3';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Decode RFC 2047 encoded words (=?UTF-8?B?..?=) in a header value. */
export function decodeHeader(v) {
  // white space between two encoded words is not part of the text
  return v.replace(/\r?\n[ \t]+/g, ' ')
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?UTF-8\?B\?([^?]*)\?=/gi, (_, b) => Buffer.from(b, 'base64').toString('utf8'))
    .trim();
}

/** { headers: {lower-name: value}, text } of a received message. */
export function parseMail(raw) {
  const at = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, at).replace(/\r\n[ \t]+/g, ' ');
  const headers = {};
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = raw.slice(at + 4);
  const text = /base64/i.test(headers['content-transfer-encoding'] ?? '')
    ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
  return { headers, text };
}

/** Start the SMTP sink; stop() ends it and removes its folder. */
export async function startSmtpSink() {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'sinian-smtp-'));
  const proc = spawn(PYTHON, [path.join(REPO, 'tests/tools/smtp_sink.py'), dir],
    { stdio: ['pipe', 'pipe', 'inherit'] });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (b) => {
      out += b;
      const m = /ready (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`smtp_sink.py exited (${code})`)));
  });
  let seen = 0;
  return {
    port,
    /** The next message: { mail_from, rcpt_tos, headers, text }. */
    async next(timeoutMs = 10000) {
      const n = seen + 1;
      const meta = path.join(dir, `${n}.json`);
      for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(50)) {
        if (fs.existsSync(meta)) {
          seen = n;
          const env = JSON.parse(fs.readFileSync(meta, 'utf8'));
          return { ...env, ...parseMail(fs.readFileSync(path.join(dir, `${n}.eml`), 'utf8')) };
        }
      }
      throw new Error(`no e-mail #${n} within ${timeoutMs} ms`);
    },
    count() {
      return fs.readdirSync(dir).filter((f) => f.endsWith('.json')).length;
    },
    async stop() {
      proc.stdin.end();
      proc.kill('SIGTERM');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
      await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/** A webhook that keeps what it is sent; status() sets its answer,
 *  opts.delayMs holds each answer back (a slow provider). */
export async function startSmsWebhook(opts = {}) {
  const got = [];
  const waiters = [];
  let answer = 200;
  const srv = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const msg = { headers: req.headers, body: JSON.parse(body || 'null') };
      got.push(msg);
      waiters.splice(0).forEach((w) => w());
      setTimeout(() => {
        res.writeHead(answer, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }, opts.delayMs ?? 0);
    });
  });
  await new Promise((r) => srv.listen(0, '127.0.0.1', r));
  let taken = 0;
  return {
    url: `http://127.0.0.1:${srv.address().port}/sms`,
    got,
    status(s) { answer = s; },
    async next(timeoutMs = 10000) {
      const end = Date.now() + timeoutMs;
      while (got.length <= taken) {
        if (Date.now() > end) throw new Error(`no text message within ${timeoutMs} ms`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 100); });
      }
      return got[taken++];
    },
    stop() { return new Promise((r) => srv.close(r)); },
  };
}

const ICS_PY = `
import json, sys
from icalendar import Calendar
cal = Calendar.from_ical(sys.stdin.read())
out = {"name": str(cal.get("X-WR-CALNAME", "")), "events": []}
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART")
    out["events"].append({
        "uid": str(ev.get("UID")),
        "summary": str(ev.get("SUMMARY")),
        "description": str(ev.get("DESCRIPTION", "")),
        "url": str(ev.get("URL", "")),
        "start": start.isoformat(),
        "all_day": not hasattr(start, "hour"),
        "alarms": [str(a.get("TRIGGER").to_ical(), "ascii") for a in ev.walk("VALARM")],
    })
print(json.dumps(out, ensure_ascii=False))
`;

/** Parse iCalendar text with python3-icalendar: { name, events }. */
export function parseIcs(text) {
  const r = spawnSync(PYTHON, ['-c', ICS_PY], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python3-icalendar refused the feed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}
