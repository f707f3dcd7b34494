// Protection on shared devices: drafts and the outbox are stored encrypted (AES-GCM, 256 bits)
// with a key derived from the tablet's PIN (PBKDF2-SHA-256). The key is never stored, only
// held in memory while the app is unlocked; idle time drops it. A check value encrypted with
// the key tells a wrong PIN from a right one without storing the PIN or anything derived from
// it in clear.
const ITERATIONS = 310_000; // OWASP's 2023 figure for PBKDF2-HMAC-SHA256
const CHECK = 'waypoint-pin-check-v1';
const encoder = new TextEncoder();

export async function deriveKey(pin, salt) {
  const material = await crypto.subtle.importKey('raw', encoder.encode(pin), 'PBKDF2', false, ['deriveKey']);
  return crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
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
      const candidate = await deriveKey(pin, salt);
      await store.setMeta('pin', { salt, iterations: ITERATIONS, check: await seal(candidate, encoder.encode(CHECK)) });
      key = candidate;
      return key;
    },
    async unlock(pin) {
      const saved = await store.getMeta('pin');
      const candidate = await deriveKey(pin, saved.salt);
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
