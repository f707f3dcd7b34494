// What the outbox holds in IndexedDB, decrypted independently of the app (PBKDF2-SHA-256,
// the iterations the app stored with the PIN, AES-GCM), for tests/webforms/test_web_tablet.py.
(async ([deviceId, pin]) => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open(`waypoint-webforms-${deviceId}`); r.onsuccess = () => ok(r.result); r.onerror = ko;
  });
  const all = (store) => new Promise((ok) => {
    const r = db.transaction(store).objectStore(store).getAll(); r.onsuccess = () => ok(r.result);
  });
  const [items, drafts, metas] = [await all('outbox'), await all('drafts'), await all('meta')];
  db.close();
  const saved = metas.find((m) => m && m.salt);
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: saved.salt, iterations: saved.iterations || 310000 }, material,
    { name: 'AES-GCM', length: 256 }, false, ['decrypt']);
  const text = async (f) => new TextDecoder().decode(
    await crypto.subtle.decrypt({ name: 'AES-GCM', iv: f.sealed.iv }, key, f.sealed.data));
  const xml = {};
  for (const i of items) xml[i.instanceId] = await text(i.files.find((f) => f.field === 'xml_submission_file'));
  const raw = [...items, ...drafts].flatMap((i) => i.files).map((f) => new TextDecoder('latin1').decode(f.sealed.data)).join('');
  return { xml, raw };
})
