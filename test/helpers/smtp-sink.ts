import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './docker-env.js';
import { waitUntil } from './wait.js';

/** A real SMTP server on loopback that keeps every message it takes, parsed; it can go down and come back on the same port. */
export class SmtpSink {
  readonly messages: (ParsedMail & { envelopeTo: string[] })[] = [];
  private server?: SMTPServer;

  private constructor(readonly port: number) {}

  static async start(port?: number): Promise<SmtpSink> {
    const sink = new SmtpSink(port ?? (await freePort()));
    await sink.up();
    return sink;
  }

  async up(): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream).then(
          (mail) => {
            this.messages.push(Object.assign(mail, { envelopeTo: session.envelope.rcptTo.map((r) => r.address) }));
            dump(
              mail,
              session.envelope.rcptTo.map((r) => r.address),
            );
            callback(null, `OK: queued as sink-${this.messages.length}` as never);
          },
          (err: Error) => callback(err),
        );
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  /** greenci config lines sending through this sink, with the notify lists given. */
  configLines(notify: { lead?: string[]; ops?: string[] } = {}): string[] {
    const lists = Object.entries(notify).map(([k, v]) => `  ${k}: [${v.join(', ')}]`);
    return [
      'smtp:',
      '  host: 127.0.0.1',
      `  port: ${this.port}`,
      '  secure: false',
      '  from: greenci@example.com',
      ...(lists.length ? ['notify:', ...lists] : []),
    ];
  }

  async waitForMessages(n: number, timeoutMs = 30_000): Promise<void> {
    await waitUntil(() => this.messages.length >= n, `${n} messages at the SMTP sink (have ${this.messages.length})`, timeoutMs, 50);
  }
}

/** With GREENCI_MAIL_DUMP=DIR, every message taken is also written there as text (examples for people to read). */
function dump(mail: ParsedMail, to: string[]): void {
  const dir = process.env.GREENCI_MAIL_DUMP;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const slug = (mail.subject ?? 'no-subject')
    .replace(/[^\w.-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  writeFileSync(path.join(dir, `${Date.now()}-${slug}.txt`), `To: ${to.join(', ')}\nSubject: ${mail.subject ?? ''}\n\n${mail.text ?? ''}`);
}
