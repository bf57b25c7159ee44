/** Text from repositories and logs goes into HTML escaped, always. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A plain, readable HTML body: a heading, key/value rows, optional preformatted blocks. */
export function htmlBody(o: {
  heading: string;
  rows: [string, string][];
  blocks?: { title: string; text: string }[];
  footer?: string;
}): string {
  const rows = o.rows.map(([k, v]) => `<tr><td style="color:#666;padding-right:12px">${esc(k)}</td><td>${esc(v)}</td></tr>`).join('');
  const blocks = (o.blocks ?? [])
    .map((b) => `<h3>${esc(b.title)}</h3><pre style="background:#f6f8fa;padding:8px">${esc(b.text)}</pre>`)
    .join('');
  return `<!doctype html><html><body style="font-family:sans-serif"><h2>${esc(o.heading)}</h2><table>${rows}</table>${blocks}${o.footer ? `<p style="color:#666">${esc(o.footer)}</p>` : ''}</body></html>`;
}

/** The same content as plain text: aligned `key: value` lines and indented blocks. */
export function textBody(o: {
  heading: string;
  rows: [string, string][];
  blocks?: { title: string; text: string }[];
  footer?: string;
}): string {
  const w = Math.max(0, ...o.rows.map(([k]) => k.length));
  const lines = [o.heading, '', ...o.rows.map(([k, v]) => `${(`${k}:`).padEnd(w + 1)} ${v}`)];
  for (const b of o.blocks ?? []) lines.push('', `${b.title}:`, ...b.text.split('\n').map((l) => `    ${l}`));
  if (o.footer) lines.push('', o.footer);
  return `${lines.join('\n')}\n`;
}
