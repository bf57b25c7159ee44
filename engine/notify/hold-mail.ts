import type { ProductionHold } from '../model.js';
import { holdText } from '../pipeline/promotion.js';
import type { NewMail } from '../store/outbox.js';
import { htmlBody, textBody } from './html.js';

/** What a rollback email says of the hold it put on (a rollback that succeeds always holds production). */
export function heldRow(project: string, productionBranch: string): [string, string] {
  return [
    'hold',
    `production is held: ${productionBranch} builds are built and tested, not released, until greenci release ${project} (--lift: lift the hold only)`,
  ];
}

/** What a `greenci release` build's email says of the hold it lifted. */
export function liftedRow(h: ProductionHold): [string, string] {
  return ['hold', `lifted: production was ${holdText(h)}`];
}

/** `greenci release --lift`: the hold comes off without a release, to the lead list, naming who. Undefined when no lead list. */
export function holdLiftedMail(h: ProductionHold, o: { lead: string[]; productionBranch: string }): NewMail | undefined {
  if (!o.lead.length || h.liftedAt === undefined) return undefined;
  const by = h.liftedBy ?? 'unknown';
  const subject = `⏵ ${h.project} production hold lifted by ${by}`;
  const content = {
    heading: subject,
    rows: [
      ['project', h.project],
      ['was', holdText(h)],
      ['lifted by', by],
      ['result', `production is not changed now; the next ${o.productionBranch} build that passes is released`],
    ] as [string, string][],
  };
  return {
    kind: 'hold',
    to: o.lead,
    subject,
    text: textBody(content),
    html: htmlBody(content),
    dedupeKey: `hold:${h.id}:lifted`,
  };
}
