// ceremony-time.js — a ceremony's times said in whose time they are: in the
// ceremony's own time zone ("10:00 Beijing time"), and in the viewer's when
// it is another ("18:00 your time · 10:00 Beijing"), with the countdown
// before the start.
//
//   import { whenText, bothTimes, countdownText } from '/js/ceremony-time.js';
//   whenText(cer)        -> "2026年4月4日 10:00–11:00（北京时间）"
//   bothTimes(cer)       -> "您的时间 18:00 · 北京时间 10:00" or null (same clock)
//   countdownText(ms)    -> "2 小时 15 分钟" / "2 h 15 min"
//   zoneTime('2026-04-04', '10:00', 'Europe/London') -> "2026-04-04T09:00:00Z"
//   ZONES                -> the zones the operator's console offers
import { lang, t } from './i18n.js';

const BEIJING = new Set(['Asia/Shanghai', 'Asia/Chongqing', 'Asia/Harbin', 'PRC']);

/** The ceremony's zone, or Beijing's when it has none (older records). */
export function zoneOf(cer) {
  return cer?.time_zone || 'Asia/Shanghai';
}

/** The name of a zone's clock: "北京时间" / "Beijing time", else the city. */
export function zoneName(tz) {
  if (BEIJING.has(tz)) return t('cer.tz_beijing');
  return t('cer.tz_city', { city: tz.split('/').pop().replace(/_/g, ' ') });
}

function fmt(iso, tz, opts) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  try {
    return d.toLocaleString(lang(), { ...opts, timeZone: tz });
  } catch {
    return d.toLocaleString(lang(), opts); // a zone this browser does not know
  }
}

const DATE = { year: 'numeric', month: 'long', day: 'numeric' };
const TIME = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

/** Start and end in the ceremony's zone, named. */
export function whenText(cer) {
  const tz = zoneOf(cer);
  const day = (iso) => fmt(iso, tz, DATE);
  const sameDay = day(cer.scheduled_start) === day(cer.scheduled_end);
  const start = `${day(cer.scheduled_start)} ${fmt(cer.scheduled_start, tz, TIME)}`;
  const end = sameDay ? fmt(cer.scheduled_end, tz, TIME)
    : `${day(cer.scheduled_end)} ${fmt(cer.scheduled_end, tz, TIME)}`;
  return t('cer.when_zone', { start, end, zone: zoneName(tz) });
}

/** The viewer's zone, as the browser knows it. */
export function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || '';
  } catch {
    return '';
  }
}

/** The start in the viewer's time and in the ceremony's, when the two
 *  clocks differ at that moment; null when they say the same. */
export function bothTimes(cer, here = localZone()) {
  const tz = zoneOf(cer);
  const iso = cer.scheduled_start;
  const at = { ...DATE, ...TIME };
  const local = here ? fmt(iso, here, at) : new Date(iso).toLocaleString(lang(), at);
  if (local === fmt(iso, tz, at)) return null;
  const sameDay = fmt(iso, tz, DATE) === (here ? fmt(iso, here, DATE) : '');
  return t('cer.when_both', {
    local: sameDay ? fmt(iso, here, TIME) : local,
    zone: fmt(iso, tz, TIME),
    city: zoneName(tz),
  });
}

/** A wait until the start: "2 天 3 小时", "2 小时 15 分钟", "45 秒". */
export function countdownText(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return t('cer.left_dh', { d, h });
  if (h > 0) return t('cer.left_hm', { h, m });
  if (m > 0) return t('cer.left_ms', { m, s: s % 60 });
  return t('cer.left_s', { s });
}

/** The zones a funeral home chooses from (the console's list): China's,
 *  and where families abroad most often watch from. */
export const ZONES = [
  'Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo',
  'Australia/Sydney', 'Europe/London', 'Europe/Paris', 'America/New_York',
  'America/Chicago', 'America/Los_Angeles', 'America/Vancouver', 'America/Toronto',
];

/** Milliseconds tz's clock is ahead of UTC at the instant ms. */
function offsetAt(ms, tz) {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-US', {
    timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(new Date(ms))) p[x.type] = Number(x.value);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(ms / 1000) * 1000;
}

/** A wall-clock date ("2026-04-04") and time ("10:00") in tz, plusDays
 *  later, as UTC ("2026-04-04T02:00:00Z"); null when they do not parse. */
export function zoneTime(date, time, tz, plusDays = 0) {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t2 = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t2) return null;
  const wall = Date.UTC(+d[1], +d[2] - 1, +d[3] + plusDays, +t2[1], +t2[2]);
  // the offset at the guess, then again at the answer (a change of clocks
  // between the two)
  let ms = wall - offsetAt(wall, tz);
  ms = wall - offsetAt(ms, tz);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
