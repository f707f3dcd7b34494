// The DPO's way out for forms a tablet can no longer send (revoked, or its PIN forgotten).
// Each finalised form is sealed, the moment it is finalised, to the project's recovery key: an
// ECDH P-256 key agreement with a fresh key per envelope, HKDF-SHA-256 and AES-256-GCM, all
// WebCrypto. Only Waypoint holds the private key (derived from its quarantine key), so the copy
// is as safe on the tablet as the PIN-sealed one, and it still opens when nobody knows the PIN.
// Exporting writes every such envelope, plus an index sealed the same way that lists each one
// with its SHA-256, into one file the DPO uploads (webforms/recovery.py reads it).
import { unsealFiles } from './pin.js';

const encoder = new TextEncoder();
const INFO = encoder.encode('waypoint-recovery-v1');

const toBase64 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (text) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/** The project's recovery key from the page (``data-recovery-key``), or null on an old page. */
export function recoveryTarget(config) {
  if (!config.recoveryKey || !config.projectId) return null;
  return { keyId: config.recoveryKeyId, point: config.recoveryKey, project: Number(config.projectId), device: Number(config.device) };
}

const aad = (kind, target) => encoder.encode(`waypoint-recovery-v1 ${kind} project=${target.project} device=${target.device}`);

async function seal(target, kind, plain) {
  const recipient = await crypto.subtle.importKey('raw', fromBase64(target.point), { name: 'ECDH', namedCurve: 'P-256' }, false, []);
  const ephemeral = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, ['deriveBits']);
  const epk = new Uint8Array(await crypto.subtle.exportKey('raw', ephemeral.publicKey));
  const shared = await crypto.subtle.deriveBits({ name: 'ECDH', public: recipient }, ephemeral.privateKey, 256);
  const material = await crypto.subtle.importKey('raw', shared, 'HKDF', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: epk, info: INFO },
    material,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt'],
  );
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(kind, target) }, key, plain));
  return { key: target.keyId, epk, iv, data };
}

/** One outbox item as the DPO's file carries it: a JSON line naming the files, then their
 * bytes; ``files`` are the ones the outbox posts (already Collect-encrypted for a form with a
 * public key, so the DPO's /decrypt still opens them after recovery). */
export async function sealForRecovery(target, { instanceId, formId, queuedAt }, files) {
  const bytes = await Promise.all(files.map(async (f) => new Uint8Array(await f.blob.arrayBuffer())));
  const header = encoder.encode(
    `${JSON.stringify({
      instanceId,
      formId,
      queuedAt,
      files: files.map((f, i) => ({ field: f.field, name: f.name, type: f.type, size: bytes[i].length })),
    })}\n`,
  );
  const plain = new Uint8Array(header.length + bytes.reduce((n, b) => n + b.length, 0));
  plain.set(header);
  let offset = header.length;
  for (const b of bytes) {
    plain.set(b, offset);
    offset += b.length;
  }
  return seal(target, 'item', plain);
}

const envelopeJson = (e) => JSON.stringify({ key: e.key, epk: toBase64(e.epk), iv: toBase64(e.iv), data: toBase64(e.data) });

/** The file for the DPO: every outbox item (sent ones are gone, failed ones included). An item
 * finalised before this tablet knew the recovery key is sealed now if the PIN is entered
 * (``key``); otherwise it is counted in ``left`` and stays on the tablet. */
export async function recoveryFile({ store, target, key }) {
  const items = (await store.outbox()).sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  const envelopes = [];
  let left = 0;
  for (const item of items) {
    let envelope = item.recovery?.key === target.keyId || (item.recovery && !key) ? item.recovery : null;
    if (!envelope && key) envelope = await sealForRecovery(target, item, await unsealFiles(key, item.files));
    if (!envelope) {
      left += 1;
      continue;
    }
    envelopes.push({ instanceId: item.instanceId, envelope });
  }
  const listed = await Promise.all(
    envelopes.map(async ({ instanceId, envelope }) => ({ instanceId, sha256: hex(await crypto.subtle.digest('SHA-256', envelope.data)) })),
  );
  const index = await seal(
    target,
    'index',
    encoder.encode(JSON.stringify({ project: target.project, device: target.device, exportedAt: new Date().toISOString(), items: listed })),
  );
  // ``format`` first: the server tells a file cut short from some other file by its start.
  const parts = [
    `{"format":"waypoint-recovery","version":1,"project":${target.project},"device":${target.device},"index":${envelopeJson(index)},"items":[`,
  ];
  envelopes.forEach(({ envelope }, i) => parts.push(i ? ',' : '', envelopeJson(envelope)));
  parts.push(']}');
  return { blob: new Blob(parts, { type: 'application/json' }), count: envelopes.length, left };
}

/** Save the file through the browser's download (a tablet's Files app, a USB stick, e-mail). */
export function download(blob, target) {
  const stamp = new Date().toISOString().slice(0, 16).replace(/[-:T]/g, '');
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = `waypoint-recovery-project${target.project}-tablet${target.device}-${stamp}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 60_000);
}
