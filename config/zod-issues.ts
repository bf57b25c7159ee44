import type { z } from 'zod';

/** Turns zod issues into `path.to.key: message` lines, the form every greenci config error takes. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly (string | number)[] = []): string[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join('.');
    return `${path || '(top level)'}: ${humanMessage(issue)}`;
  });
}

function humanMessage(issue: z.core.$ZodIssue): string {
  // parse with { reportInput: true } so a missing key reads as Required, whatever its schema
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && 'input' in issue && issue.input === undefined) return 'Required';
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'Required';
  if (issue.code === 'invalid_key') return `invalid name: ${issue.issues.map((i) => i.message).join('; ')}`;
  if (issue.code === 'unrecognized_keys') return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}
