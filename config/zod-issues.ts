import type { z } from 'zod';

/** Turns zod issues into `path.to.key: message` lines, the form every greenci config error takes. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly (string | number)[] = []): string[] {
  return issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join('.');
    return `${path || '(top level)'}: ${humanMessage(issue)}`;
  });
}

function humanMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) return 'Required';
  if (issue.code === 'unrecognized_keys') return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.join(', ')}`;
  return issue.message.replace(/^Invalid input: /, '');
}
