'use strict';
// The store's restore tool (greenci.yml: backup.restore): reads what dump.js wrote on stdin and
// puts every document back through the running store's own API, so each write is durable before
// the next. Exits 1 on a line it cannot read or a write the store refuses: a partial restore is
// an error, not a success.
const http = require('node:http');

const PORT = Number(process.env.PORT || 7000);

function put(collection, id, doc) {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify(doc);
    const req = http.request(
      { host: '127.0.0.1', port: PORT, method: 'PUT', path: `/collections/${encodeURIComponent(collection)}/${encodeURIComponent(id)}`, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`the store answered ${res.statusCode} for ${collection}/${id}`))));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
  for (const [i, line] of lines.entries()) {
    let rec;
    try {
      rec = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1} is not JSON`);
    }
    await put(rec.collection, rec.id, rec.doc);
  }
  console.error(`restore: ${lines.length} documents`);
}

main().catch((err) => {
  console.error(`restore: ${err.message}`);
  process.exit(1);
});
