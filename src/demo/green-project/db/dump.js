'use strict';
// The store's backup tool (greenci.yml: backup.dump): prints every document of every collection
// as JSON lines {"collection", "id", "doc"} on stdout, read from the data files while the store
// runs. Each file is append-only with an fsync per write, so reading it gives every acknowledged
// write up to that moment; a last line still being written is left out (it was not acknowledged).
const fs = require('node:fs');
const path = require('node:path');

const DATA_DIR = process.env.DATA_DIR || '/data';
const NAME_RE = /^[A-Za-z0-9_-]{1,64}$/;

let count = 0;
for (const entry of fs.existsSync(DATA_DIR) ? fs.readdirSync(DATA_DIR).sort() : []) {
  const name = entry.slice(0, -6);
  if (!entry.endsWith('.jsonl') || !NAME_RE.test(name)) continue;
  const text = fs.readFileSync(path.join(DATA_DIR, entry), 'utf8');
  const docs = new Map();
  for (const line of text.slice(0, text.lastIndexOf('\n') + 1).split('\n')) {
    if (!line) continue;
    const rec = JSON.parse(line);
    docs.set(rec.id, rec.doc);
  }
  for (const [id, doc] of docs) {
    process.stdout.write(`${JSON.stringify({ collection: name, id, doc })}\n`);
    count += 1;
  }
}
console.error(`dump: ${count} documents`);
