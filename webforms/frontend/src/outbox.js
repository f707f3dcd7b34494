// The outbox: finalised submissions sent with the OpenRosa submission protocol, as ODK Collect
// sends them (HEAD for the accepted size, then multipart POSTs, split when the attachments do
// not fit, all but the last marked *isIncomplete*). An item leaves the device only after the
// server's 201 (or 202); offline, a 5xx or a Retry-After keep it and retry with back-off; a
// refused item stays as "failed" with the server's reason; a revoked tablet stops everything
// and keeps the data.
import { unsealFiles } from './pin.js';

const OPENROSA = { 'X-OpenRosa-Version': '1.0' };
const DEFAULT_LIMIT = 10_000_000;
const MAX_BACKOFF_S = 600;

class Retry extends Error {
  constructor(reason, seconds) {
    super(reason);
    this.seconds = seconds;
  }
}
class Refused extends Error {
  constructor(reason, status) {
    super(reason);
    this.status = status;
  }
}
class Revoked extends Error {}

/** The message of an <OpenRosaResponse>, or the status line. */
async function reasonOf(response) {
  const text = await response.text().catch(() => '');
  const doc = new DOMParser().parseFromString(text, 'text/xml');
  const message = doc.getElementsByTagName('message')[0]?.textContent?.trim();
  return message || `HTTP ${response.status} ${response.statusText}`.trim();
}

// Only the HEAD's 401/403 means the tablet's token is refused (revoked): a POST's 403 may be
// about one form (closed), and fails that item alone.
async function judge(response, { head = false } = {}) {
  if (response.status === 201 || response.status === 202 || response.status === 204) return;
  const reason = await reasonOf(response);
  const retryAfter = Number(response.headers.get('Retry-After'));
  if (head && (response.status === 403 || response.status === 401)) throw new Revoked(reason);
  if (response.status >= 500 || response.status === 429 || retryAfter > 0)
    throw new Retry(reason, retryAfter > 0 ? retryAfter : null);
  throw new Refused(reason, response.status);
}

/** Collect's split: the XML in every POST, attachments added while they fit the limit. */
export function batches(files, limit) {
  const xml = files.find((f) => f.field === 'xml_submission_file');
  const rest = files.filter((f) => f !== xml);
  const out = [];
  let current = [];
  let size = xml.blob.size;
  for (const f of rest) {
    if (current.length && size + f.blob.size > limit) {
      out.push(current);
      current = [];
      size = xml.blob.size;
    }
    current.push(f);
    size += f.blob.size;
  }
  out.push(current);
  return out.map((part) => [xml, ...part]);
}

async function post(url, parts, incomplete) {
  const body = new FormData();
  for (const f of parts) body.append(f.field, new File([f.blob], f.name, { type: f.type }), f.name);
  if (incomplete) body.append('*isIncomplete*', 'yes');
  let response;
  try {
    response = await fetch(url, { method: 'POST', headers: OPENROSA, body, cache: 'no-store' });
  } catch (error) {
    throw new Retry(navigator.onLine ? `Network error: ${error.message}` : 'Offline', null);
  }
  await judge(response);
  return reasonOf(response);
}

/** The server's HEAD: a revoked tablet is refused here (Revoked); else the accepted size. */
async function askServer(url) {
  let head;
  try {
    head = await fetch(url, { method: 'HEAD', headers: OPENROSA, cache: 'no-store' });
  } catch (error) {
    throw new Retry(navigator.onLine ? `Network error: ${error.message}` : 'Offline', null);
  }
  await judge(head, { head: true });
  return Number(head.headers.get('X-OpenRosa-Accept-Content-Length')) || DEFAULT_LIMIT;
}

// The HEAD is asked once per sending round, as Collect asks once per upload, not before every
// form: over 3G each request costs over half a second (bench/webforms_outbox.py). A POST refused
// with 401 or 403 asks again, since only the HEAD tells a revoked tablet from a refusing form.
async function sendOne(server, deviceId, item, key, round) {
  const url = `${server}/submission?deviceID=${encodeURIComponent(`waypoint-web:${deviceId}`)}`;
  round.limit ??= await askServer(url);
  const groups = batches(await unsealFiles(key, item.files), round.limit);
  let message = '';
  try {
    for (const [i, parts] of groups.entries()) message = await post(url, parts, i < groups.length - 1);
  } catch (error) {
    if (error instanceof Refused && (error.status === 401 || error.status === 403)) {
      round.limit = await askServer(url); // throws Revoked for a revoked tablet
    }
    throw error;
  }
  return message;
}

export function createOutbox({ store, server, deviceId, onChange, getKey }) {
  let timer = null;
  let running = false;
  let again = false;

  function schedule(seconds) {
    clearTimeout(timer);
    timer = setTimeout(() => flush(), Math.max(0.2, seconds) * 1000);
  }

  async function flushLocked() {
    // Locked (no PIN entered, or idle): the items wait, encrypted, until someone unlocks.
    if ((await store.getMeta(`revoked:${server}`)) || !getKey()) return;
    const items = (await store.outbox()).filter((i) => i.state === 'waiting');
    const round = {}; // what the server's HEAD said, for this round
    items.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
    let soonest = null;
    for (const item of items) {
      if (item.nextAttemptAt && Date.parse(item.nextAttemptAt) > Date.now()) {
        const wait = (Date.parse(item.nextAttemptAt) - Date.now()) / 1000;
        soonest = soonest === null ? wait : Math.min(soonest, wait);
        continue;
      }
      try {
        const message = await sendOne(server, deviceId, item, getKey(), round);
        await store.markSent(item.instanceId, message);
      } catch (error) {
        item.attempts = (item.attempts || 0) + 1;
        item.lastError = error.message;
        if (error instanceof Revoked) {
          await store.putOutbox(item);
          await store.setMeta(`revoked:${server}`, { reason: error.message, at: new Date().toISOString() });
          onChange();
          return;
        }
        if (error instanceof Refused) {
          item.state = 'failed';
        } else {
          const backoff = Math.min(MAX_BACKOFF_S, 2 ** Math.min(item.attempts, 10));
          const wait = error.seconds ?? backoff;
          item.nextAttemptAt = new Date(Date.now() + wait * 1000).toISOString();
          soonest = soonest === null ? wait : Math.min(soonest, wait);
        }
        await store.putOutbox(item);
        if (!(error instanceof Refused)) {
          onChange();
          // The server or the network is down: the next items would fail alike.
          break;
        }
      }
      onChange();
    }
    if (soonest !== null) schedule(soonest);
  }

  async function flush() {
    // A form finalised while a round is sending is not in that round's list: one more round
    // follows, else it would wait for the next "Send now" or network change.
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        // One sender per tablet across tabs: two tabs never post the same item at once.
        if (navigator.locks) await navigator.locks.request(`waypoint-outbox-${deviceId}`, flushLocked);
        else await flushLocked();
      } while (again);
    } finally {
      running = false;
      onChange();
    }
  }

  /** Try everything now (the volunteer's "Send now", or the network coming back). */
  async function retryNow() {
    for (const item of await store.outbox()) {
      if (item.state === 'failed' || item.nextAttemptAt) {
        item.state = 'waiting';
        item.nextAttemptAt = null;
        await store.putOutbox(item);
      }
    }
    return flush();
  }

  window.addEventListener('online', () => retryNow());
  return { flush, retryNow };
}
