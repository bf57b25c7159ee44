import nodemailer, { type Transporter } from 'nodemailer';
import type { SmtpConfig } from '../../config/schema.js';

export interface OutgoingMail {
  to: string[];
  subject: string;
  text: string;
  html?: string;
  messageId: string;
}

export interface SendResult {
  /** The SMTP server's answer to the message, e.g. `250 OK: queued as 7A3F`. */
  response: string;
  accepted: string[];
  rejected: string[];
}

/**
 * The only module that talks SMTP (nodemailer). Credentials are read from the environment
 * variables the config names, and never appear in an error message or a log line.
 */
export class Mailer {
  private readonly transport: Transporter;

  constructor(
    readonly smtp: SmtpConfig,
    env: NodeJS.ProcessEnv,
    opts: { timeoutMs?: number } = {},
  ) {
    const user = smtp.userEnv ? env[smtp.userEnv] : undefined;
    const pass = smtp.passwordEnv ? env[smtp.passwordEnv] : undefined;
    const timeout = opts.timeoutMs ?? 15_000;
    this.transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      auth: user ? { user, pass } : undefined,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
      // plain SMTP on loopback is fine; elsewhere STARTTLS is used when offered
      ignoreTLS: !smtp.secure && isLoopback(smtp.host),
    });
  }

  get server(): string {
    return `${this.smtp.host}:${this.smtp.port}`;
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    const info = await this.transport.sendMail({
      from: this.smtp.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Mailer': 'greenci' },
    });
    return {
      response: String(info.response ?? ''),
      accepted: (info.accepted ?? []).map(String),
      rejected: (info.rejected ?? []).map(String),
    };
  }

  close(): void {
    this.transport.close();
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** An SMTP failure in a sentence, without credentials (nodemailer's messages carry none; the command is dropped). */
export function describeSmtpError(err: unknown): string {
  const e = err as { message?: string; code?: string; responseCode?: number; response?: string };
  if (e.response) return `the server answered: ${e.response}`;
  if (e.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(e.message ?? '')) return 'nothing answers on the SMTP port (connection refused)';
  if (e.code === 'ETIMEDOUT' || e.code === 'ETIMEOUT' || /timeout/i.test(e.message ?? '')) return 'the SMTP server did not answer in time';
  if (e.code === 'EDNS') return 'the SMTP host name does not resolve';
  return e.message ?? String(err);
}
