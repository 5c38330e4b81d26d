export interface AliasRow {
  alias: string;
  deployment: string;
}

export type AliasesResult = { ok: true; aliases: Record<string, string> } | { ok: false; row: number; field: keyof AliasRow; message: string };

const MAX = 128;

/** The event's alias map as editable rows, sorted by alias. */
export function aliasRows(aliases: Record<string, string> | undefined): AliasRow[] {
  return Object.entries(aliases ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([alias, deployment]) => ({ alias, deployment }));
}

/**
 * Rows back to the map the API takes. Blank rows are ignored; the first problem is reported with its
 * row (0-based) and field: a half-filled row, a name used twice, an alias naming itself, too long.
 */
export function aliasesFromRows(rows: AliasRow[]): AliasesResult {
  const aliases: Record<string, string> = {};
  for (const [row, raw] of rows.entries()) {
    const alias = raw.alias.trim();
    const deployment = raw.deployment.trim();
    if (!alias && !deployment) continue;
    if (!alias) return { ok: false, row, field: 'alias', message: 'Name the model clients will ask for.' };
    if (!deployment) return { ok: false, row, field: 'deployment', message: `Pick the deployment "${alias}" should use.` };
    if (alias.length > MAX) return { ok: false, row, field: 'alias', message: `At most ${MAX} characters.` };
    if (deployment.length > MAX) return { ok: false, row, field: 'deployment', message: `At most ${MAX} characters.` };
    if (alias === deployment) return { ok: false, row, field: 'deployment', message: `"${alias}" would point at itself.` };
    if (Object.hasOwn(aliases, alias)) return { ok: false, row, field: 'alias', message: `"${alias}" is mapped twice.` };
    aliases[alias] = deployment;
  }
  return { ok: true, aliases };
}
