// Protection on shared devices: drafts and the outbox are stored encrypted (AES-GCM, 256 bits)
// with a key derived from the tablet's PIN (PBKDF2-SHA-256). The key is never stored, only
// held in memory while the app is unlocked; idle time drops it. A check value encrypted with
// the key tells a wrong PIN from a right one without storing the PIN or anything derived from
// it in clear.
//
// What a PIN can and cannot do: whoever copies the browser's database can try every PIN offline.
// Each guess costs one PBKDF2 run, so the count is set from this device's own speed (about
// TARGET_MS per unlock, never under MIN_ITERATIONS, OWASP's 2023 figure), and stored with the
// PIN. Six digits at 600,000 iterations still fall to one GPU in about a minute: a PIN protects
// drafts from the next person picking up the tablet, not from a determined thief: finalised
// forms are sent as soon as the network allows and, until then, are also sealed to the
// project's recovery key (recovery.js), which no PIN opens. A passphrase resists far longer.
import { t } from './i18n.js';

const MIN_ITERATIONS = 600_000;
const MAX_ITERATIONS = 2_000_000;
const TARGET_MS = 700;
const LEGACY_ITERATIONS = 310_000; // tablets whose PIN was chosen before the count was stored
const CHECK = 'waypoint-pin-check-v1';
const encoder = new TextEncoder();

export async function deriveKey(pin, salt, iterations = MIN_ITERATIONS) {
  const material = await crypto.subtle.importKey('raw', encoder.encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
}

/** The iteration count that costs this device about TARGET_MS (a fast tablet gets more). */
async function calibrated() {
  const probe = 100_000;
  const started = performance.now();
  await deriveKey('calibration', new Uint8Array(16), probe);
  const perIteration = Math.max(performance.now() - started, 1) / probe;
  const wanted = Math.round(TARGET_MS / perIteration / 10_000) * 10_000;
  return Math.min(MAX_ITERATIONS, Math.max(MIN_ITERATIONS, wanted));
}

// Refused when a PIN is chosen: what people pick first, and what a guesser tries first.
const COMMON = new Set(['123123', '112233', '121212', '123321', '654321', '696969', '159753', '147258', '258369', '147852', '789456', '102030', '010203', '246810', '135790', '131313', '202020', '111222', '101010']);

/** Why ``pin`` is too weak to choose (a message), or null: six digits or more that are not a
 * repetition, a run up or down, or a common choice; or a passphrase of eight characters or more. */
export function pinProblem(pin) {
  if (/^\d+$/.test(pin)) {
    if (pin.length < 6) return t('pin_short');
    const steps = new Set([...pin].slice(1).map((d, i) => (Number(d) - Number(pin[i]) + 10) % 10));
    const run = steps.size === 1 && (steps.has(1) || steps.has(9) || steps.has(0));
    if (run || /^(\d{1,4})\1+$/.test(pin) || COMMON.has(pin) || new Set(pin).size <= 2)
      return t('pin_easy');
    return null;
  }
  if (pin.length < 8) return t('phrase_short');
  if (new Set(pin.toLowerCase()).size <= 3) return t('phrase_easy');
  return null;
}

export async function seal(key, bytes) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes);
  return { iv, data };
}

export async function unseal(key, sealed) {
  return crypto.subtle.decrypt({ name: 'AES-GCM', iv: sealed.iv }, key, sealed.data);
}

/** The engine's files, each one's bytes encrypted; names and types stay readable. */
export async function sealFiles(key, files) {
  return Promise.all(
    files.map(async (f) => ({
      field: f.field,
      name: f.name,
      type: f.type,
      sealed: await seal(key, await f.blob.arrayBuffer()),
    })),
  );
}

export async function unsealFiles(key, files) {
  return Promise.all(
    files.map(async (f) => ({
      field: f.field,
      name: f.name,
      type: f.type,
      blob: new Blob([await unseal(key, f.sealed)], { type: f.type }),
    })),
  );
}

/** The tablet's PIN: set once, then checked; ``unlock`` resolves to the key or null. */
export function createPinLock(store) {
  let key = null;
  return {
    get key() {
      return key;
    },
    async isSet() {
      return Boolean(await store.getMeta('pin'));
    },
    async choose(pin) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      const iterations = await calibrated();
      const candidate = await deriveKey(pin, salt, iterations);
      await store.setMeta('pin', { salt, iterations, check: await seal(candidate, encoder.encode(CHECK)) });
      key = candidate;
      return key;
    },
    async unlock(pin) {
      const saved = await store.getMeta('pin');
      const candidate = await deriveKey(pin, saved.salt, saved.iterations || LEGACY_ITERATIONS);
      try {
        await unseal(candidate, saved.check);
      } catch {
        return null; // AES-GCM's tag does not match: a wrong PIN
      }
      key = candidate;
      return key;
    },
    lock() {
      key = null;
    },
  };
}
