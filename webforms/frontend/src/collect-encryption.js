// Submissions of a form with a public key, encrypted in the browser exactly as ODK Collect
// encrypts them (EncryptionUtils): a random AES-256 key wrapped with RSA-OAEP (SHA-256, MGF1
// SHA-256: "RSA/NONE/OAEPWithSHA256AndMGF1Padding"); each file AES-256-CFB with PKCS#5 padding,
// media first and submission.xml last, the IV seeded with md5(instanceID + key) and its byte
// (n % 16) incremented once more for each file; a manifest naming the files, signed with the
// RSA-wrapped md5 of "formId, version, key, instanceID, name::md5 of each plaintext file".
// WebCrypto has neither AES-CFB nor MD5: those come from the audited @noble libraries.
import { cfb } from '@noble/ciphers/aes.js';
import { md5 } from '@noble/hashes/legacy.js';

const ENCRYPTED_NS = 'http://www.opendatakit.org/xforms/encrypted';
const encoder = new TextEncoder();

const toBase64 = (bytes) => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};
const fromBase64 = (text) => Uint8Array.from(atob(text.replace(/\s+/g, '')), (c) => c.charCodeAt(0));
const hex = (bytes) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');

function pkcs5(data) {
  const pad = 16 - (data.length % 16);
  const out = new Uint8Array(data.length + pad);
  out.set(data);
  out.fill(pad, data.length);
  return out;
}

/** ``files``: the engine's {field, name, type, blob}; ``publicKey``: the form's base64 SPKI.
 * Returns the files Collect would send: the manifest as xml_submission_file, then the .enc files. */
export async function encryptAsCollect(files, publicKey) {
  const xmlFile = files.find((f) => f.field === 'xml_submission_file');
  const media = files.filter((f) => f !== xmlFile);
  const xml = new Uint8Array(await xmlFile.blob.arrayBuffer());
  const doc = new DOMParser().parseFromString(new TextDecoder().decode(xml), 'text/xml');
  const root = doc.documentElement;
  const formId = root.getAttribute('id');
  const version = root.getAttribute('version');
  const instanceId = doc.getElementsByTagNameNS('*', 'instanceID')[0]?.textContent?.trim();
  if (!formId || !instanceId) throw new Error('An encrypted form needs its id and meta/instanceID.');

  const rsa = await crypto.subtle.importKey('spki', fromBase64(publicKey), { name: 'RSA-OAEP', hash: 'SHA-256' }, false, ['encrypt']);
  const wrap = async (bytes) => toBase64(new Uint8Array(await crypto.subtle.encrypt({ name: 'RSA-OAEP' }, rsa, bytes)));
  const key = crypto.getRandomValues(new Uint8Array(32));
  const encryptedKey = await wrap(key);
  const seedSource = new Uint8Array([...encoder.encode(instanceId), ...key]);
  const iv = md5(seedSource); // 16 bytes: the seed, bumped once per file
  let counter = 0;
  const signature = [formId, ...(version ? [version] : []), encryptedKey, instanceId];

  const encrypt = (name, plain) => {
    iv[counter % 16] = (iv[counter % 16] + 1) & 0xff;
    counter += 1;
    signature.push(`${name}::${hex(md5(plain))}`);
    return cfb(key, new Uint8Array(iv)).encrypt(pkcs5(plain));
  };

  const out = [];
  for (const f of media) {
    const data = encrypt(f.name, new Uint8Array(await f.blob.arrayBuffer()));
    out.push({ field: `${f.name}.enc`, name: `${f.name}.enc`, type: 'application/octet-stream', blob: new Blob([data]) });
  }
  const xmlEnc = encrypt('submission.xml', xml);
  out.push({ field: 'submission.xml.enc', name: 'submission.xml.enc', type: 'application/octet-stream', blob: new Blob([xmlEnc]) });
  const signed = await wrap(md5(encoder.encode(signature.map((line) => `${line}\n`).join(''))));

  const manifest =
    `<data xmlns="${ENCRYPTED_NS}" id="${escape(formId)}"${version ? ` version="${escape(version)}"` : ''} encrypted="yes">` +
    `<base64EncryptedKey>${encryptedKey}</base64EncryptedKey>` +
    `<orx:meta xmlns:orx="http://openrosa.org/xforms"><orx:instanceID>${escape(instanceId)}</orx:instanceID></orx:meta>\n` +
    media.map((f) => `<media><file>${escape(f.name)}.enc</file></media>\n`).join('') +
    '<encryptedXmlFile>submission.xml.enc</encryptedXmlFile>' +
    `<base64EncryptedElementSignature>${signed}</base64EncryptedElementSignature></data>`;
  return [
    { field: 'xml_submission_file', name: 'submission.xml', type: 'text/xml', blob: new Blob([manifest], { type: 'text/xml' }) },
    ...out,
  ];
}
