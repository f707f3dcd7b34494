// The outbox bench's queue (bench/webforms_outbox.py): one submission the engine produced,
// copied in IndexedDB as ``photos.length`` submissions, each with its own instanceID and its own
// photo, sealed with the PIN's key as the app seals them. Filling 200 forms through the page
// would time the filling, not the sending.
(async ([deviceId, pin, photos]) => {
  const db = await new Promise((ok, ko) => {
    const r = indexedDB.open(`waypoint-webforms-${deviceId}`);
    r.onsuccess = () => ok(r.result);
    r.onerror = ko;
  });
  const request = (r) => new Promise((ok, ko) => { r.onsuccess = () => ok(r.result); r.onerror = ko; });
  const read = (store, method, ...args) => request(db.transaction(store).objectStore(store)[method](...args));
  const [template] = await read('outbox', 'getAll');
  const saved = await read('meta', 'get', 'pin');
  const material = await crypto.subtle.importKey('raw', new TextEncoder().encode(pin), 'PBKDF2', false, ['deriveKey']);
  const key = await crypto.subtle.deriveKey(
    { name: 'PBKDF2', hash: 'SHA-256', salt: saved.salt, iterations: saved.iterations || 310000 },
    material, { name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
  const seal = async (bytes) => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    return { iv, data: await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, key, bytes) };
  };
  const xmlFile = template.files.find((f) => f.field === 'xml_submission_file');
  const photoFile = template.files.find((f) => f !== xmlFile);
  const xml = new TextDecoder().decode(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: xmlFile.sealed.iv }, key, xmlFile.sealed.data));
  const start = Date.parse(template.queuedAt);
  const ids = [];
  for (const [i, photo] of photos.entries()) {
    const instanceId = i === 0 ? template.instanceId : `uuid:${crypto.randomUUID()}`;
    const bytes = Uint8Array.from(atob(photo), (c) => c.charCodeAt(0));
    const files = [
      { ...xmlFile, sealed: await seal(new TextEncoder().encode(xml.replaceAll(template.instanceId, instanceId))) },
      { ...photoFile, sealed: await seal(bytes) },
    ];
    // Not sealed to the project's recovery key (only the DPO's export reads it; never sent).
    const item = { ...template, instanceId, files, queuedAt: new Date(start + i).toISOString(), recovery: null };
    const tx = db.transaction('outbox', 'readwrite');
    tx.objectStore('outbox').put({ ...item, state: 'waiting', attempts: 0, nextAttemptAt: null, lastError: null });
    await new Promise((ok, ko) => { tx.oncomplete = ok; tx.onerror = ko; });
    ids.push(instanceId);
  }
  db.close();
  return ids;
})
