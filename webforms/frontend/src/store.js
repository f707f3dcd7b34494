// The tablet's storage in IndexedDB (through idb): drafts, the outbox, what was sent, and the
// tablet's state. One database per tablet, so two tablets sharing a browser never mix data.
import { openDB } from 'idb';

export async function openStore(deviceId) {
  const db = await openDB(`waypoint-webforms-${deviceId}`, 1, {
    upgrade(db) {
      db.createObjectStore('drafts', { keyPath: 'id' });
      db.createObjectStore('outbox', { keyPath: 'instanceId' });
      db.createObjectStore('sent', { keyPath: 'instanceId' });
      db.createObjectStore('meta');
    },
  });
  return {
    drafts: () => db.getAll('drafts'),
    draft: (id) => db.get('drafts', id),
    saveDraft: (draft) => db.put('drafts', draft),
    deleteDraft: (id) => db.delete('drafts', id),
    outbox: () => db.getAll('outbox'),
    outboxItem: (instanceId) => db.get('outbox', instanceId),
    putOutbox: (item) => db.put('outbox', item),
    sent: () => db.getAll('sent'),
    /** Finalise a draft: into the outbox and out of the drafts in one transaction, so a crash
     * in between can neither lose the submission nor leave it twice. */
    async finalise(draftId, item) {
      const tx = db.transaction(['drafts', 'outbox'], 'readwrite');
      await Promise.all([tx.objectStore('outbox').put(item), draftId && tx.objectStore('drafts').delete(draftId), tx.done]);
    },
    /** Only after the server's 201: out of the outbox, a receipt kept (no data). */
    async markSent(instanceId, message) {
      const tx = db.transaction(['outbox', 'sent'], 'readwrite');
      await Promise.all([
        tx.objectStore('sent').put({ instanceId, message, sentAt: new Date().toISOString() }),
        tx.objectStore('outbox').delete(instanceId),
        tx.done,
      ]);
    },
    // 'revoked:<server path>' is per token: a new QR code for the same tablet sends again.
    getMeta: (key) => db.get('meta', key),
    setMeta: (key, value) => db.put('meta', value, key),
  };
}

/** The engine's FormData as storable records (File objects are stored as they are). */
export function filesOf(formData) {
  return [...formData.entries()]
    .filter(([, value]) => value instanceof Blob)
    .map(([field, file]) => ({ field, name: file.name, type: file.type, blob: file }));
}

/** Back to a FormData of Files, as the engine hands them and reads them back. */
export function formDataOf(files) {
  const data = new FormData();
  for (const f of files) data.append(f.field, new File([f.blob], f.name, { type: f.type }));
  return data;
}
