/** Orders things so each comes after everything it depends on (stable: keeps file order otherwise). */
export function startOrder<T extends { name: string; dependsOn: string[] }>(items: T[]): { order: T[] } | { cycle: string[] } {
  const byName = new Map(items.map((i) => [i.name, i]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: T[] = [];
  const visit = (item: T, trail: string[]): string[] | undefined => {
    const s = state.get(item.name);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...trail.slice(trail.indexOf(item.name)), item.name];
    state.set(item.name, 'visiting');
    for (const dep of item.dependsOn) {
      const d = byName.get(dep);
      const cycle = d && visit(d, [...trail, item.name]);
      if (cycle) return cycle;
    }
    state.set(item.name, 'done');
    order.push(item);
    return undefined;
  };
  for (const item of items) {
    const cycle = visit(item, []);
    if (cycle) return { cycle };
  }
  return { order };
}
