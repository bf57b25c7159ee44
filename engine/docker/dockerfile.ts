/**
 * The base images a Dockerfile builds FROM, minus `scratch` and earlier stages of the same file.
 * greenci never pulls, so the build stage checks these exist locally first and says which is
 * missing instead of letting the engine hang on a registry it cannot reach.
 */
export function baseImages(dockerfile: string, buildArgs: Record<string, string> = {}): string[] {
  const lines = dockerfile.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((l) => l.trim());
  const args: Record<string, string> = {};
  const stages = new Set<string>();
  const images: string[] = [];
  for (const line of lines) {
    const argMatch = /^ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?/i.exec(line);
    if (argMatch) {
      args[argMatch[1]] = buildArgs[argMatch[1]] ?? stripQuotes(argMatch[2] ?? '');
      continue;
    }
    const from = /^FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (!from) continue;
    const image = from[1].replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => args[name] ?? '');
    if (image !== 'scratch' && !stages.has(image.toLowerCase())) images.push(image);
    if (from[2]) stages.add(from[2].toLowerCase());
  }
  return [...new Set(images)];
}

function stripQuotes(v: string): string {
  return v.replace(/^(["'])(.*)\1$/, '$2');
}
