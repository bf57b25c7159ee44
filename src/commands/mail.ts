import { UsageError } from '../../engine/errors.js';
import { describeSmtpError, Mailer } from '../../engine/notify/mailer.js';
import { parse } from '../args.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';
import { requireConfig } from '../require-config.js';
import { MAIL_USAGE } from './usage.js';

/** `greenci mail test <address>`: sends one email now and says what the SMTP server answered. */
export async function mailCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {}, MAIL_USAGE);
  if (values.help) return (io.out(MAIL_USAGE), EXIT.ok);
  const [sub, address] = positionals;
  if (sub !== 'test' || !address || positionals.length !== 2) throw new UsageError(`usage: ${MAIL_USAGE}`);
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(address)) throw new UsageError(`not an email address: ${JSON.stringify(address)}`);
  const config = requireConfig(io, values.config);
  if (!config.smtp) throw new UsageError('no smtp section in the config: greenci sends no email until smtp.host and smtp.from are set');
  const mailer = new Mailer(config.smtp, io.env);
  const when = new Date().toISOString();
  try {
    const r = await mailer.send({
      to: [address],
      subject: 'greenci test email',
      text: `This is a test email from greenci, sent ${when} through ${mailer.server}.\n\nIf it arrived, greenci can send build, release and health emails.\n`,
      html: `<p>This is a test email from <b>greenci</b>, sent ${when} through ${mailer.server}.</p><p>If it arrived, greenci can send build, release and health emails.</p>`,
      messageId: `<test-${Date.now()}@greenci>`,
    });
    const out = { server: mailer.server, to: address, accepted: r.accepted, rejected: r.rejected, response: r.response };
    io.out(values.json ? JSON.stringify(out) : `sent to ${address} through ${mailer.server}; the server answered: ${r.response}`);
    return r.rejected.length ? EXIT.failed : EXIT.ok;
  } catch (err) {
    const message = `sending to ${address} through ${mailer.server} failed: ${describeSmtpError(err)}`;
    if (values.json) io.out(JSON.stringify({ server: mailer.server, to: address, error: describeSmtpError(err) }));
    io.err(message);
    return EXIT.failed;
  } finally {
    mailer.close();
  }
}
