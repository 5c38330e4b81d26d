import { loadConfig, type DatabaseConfig } from '../config/app-config';
import { DomainError } from '../common/errors/domain-error';
import { openDatabase } from '../database/data-source.factory';
import { SecretBox } from '../resources/secret-box';
import { AoaiImporter } from './aoai/aoai-importer';
import { describeConnection } from './aoai/aoai-source';
import type { ImportCounts, ImportSummary } from './dto/import.schemas';
import { ImportRepository } from './import.repository';
import { ProgressBar, type ProgressStream } from './progress';

const USAGE = `Usage: npm run import:aoai -- --from <postgres://…> --encryption-key <key> [--dry-run] [--target-database-url <postgres://…>] [--json]

  --from                   the Azure AI Proxy database (its schema aoai)
  --encryption-key         its PostgresEncryptionKey (decrypts resource endpoints and keys)
  --dry-run                print what would be imported; write nothing
  --target-database-url    import into this PostgreSQL database instead of DATABASE_URL / DATA_DIR
  --json                   print the summary as JSON

Run it with the same ENCRYPTION_KEY (and DATABASE_URL or DATA_DIR) as the server: imported upstream keys are
sealed with it. An embedded (PGlite) database must not be in use by a running server; use the admin route
POST /api/v1/admin/import/aoai then.`;

export interface CliArgs {
  from: string;
  encryptionKey: string;
  dryRun: boolean;
  targetDatabaseUrl?: string;
  json: boolean;
}

export function parseArgs(argv: string[]): CliArgs | { help: true } | { error: string } {
  const args: Partial<CliArgs> = { dryRun: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '--from':
        args.from = value();
        break;
      case '--encryption-key':
        args.encryptionKey = value();
        break;
      case '--target-database-url':
        args.targetDatabaseUrl = value();
        break;
      case '--dry-run':
        args.dryRun = true;
        break;
      case '--json':
        args.json = true;
        break;
      case '--help':
      case '-h':
        return { help: true };
      default:
        return { error: `Unknown argument '${flag}'.` };
    }
  }
  if (!args.from) return { error: 'Missing --from <postgres://…>.' };
  if (!/^postgres(ql)?:\/\//.test(args.from)) return { error: '--from must be a postgres:// URL.' };
  if (!args.encryptionKey) return { error: 'Missing --encryption-key <key>.' };
  if (args.targetDatabaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(args.targetDatabaseUrl)) {
    return { error: '--target-database-url must be a postgres:// URL.' };
  }
  return args as CliArgs;
}

function countsLine(label: string, c: ImportCounts): string {
  return `  ${label.padEnd(15)} created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, skipped ${c.skipped}`;
}

/** The summary as people read it. */
export function formatSummary(s: ImportSummary, from: string): string {
  const lines = [
    `Azure AI Proxy import from ${from}${s.dryRun ? ' — DRY RUN: nothing was written; this is what an import would do' : ''}`,
    `  source: ${s.source.owners} owner(s), ${s.source.resources} resource(s), ${s.source.events} event(s), ${s.source.attendees} attendee(s), ${s.source.metrics} metric row(s)`,
    countsLine('organisers', s.organisers),
    countsLine('resources', s.resources),
    countsLine('events', s.events),
    countsLine('event links', s.eventResources),
    countsLine('co-organisers', s.coOrganisers),
    countsLine('attendees', s.attendees),
    countsLine('assistants', s.assistantObjects),
    `  ${'usage records'.padEnd(15)} imported ${s.usage.imported}, replaced ${s.usage.replaced}, unchanged ${s.usage.unchanged}, skipped ${s.usage.skipped}`,
  ];
  if (s.eventDetails.length) {
    lines.push('Events:');
    for (const e of s.eventDetails) {
      const id = e.id === e.sourceId ? e.id : `${e.sourceId} → ${e.id}`;
      lines.push(`  ${e.status.padEnd(9)} ${id}  "${e.name}"  ${e.startsAt} – ${e.endsAt} UTC, zone ${e.timeZone} (from its ${e.timeZoneBasis})`);
    }
  }
  if (s.warnings.length) {
    lines.push('Warnings:');
    for (const w of s.warnings) lines.push(`  - ${w}`);
  }
  return `${lines.join('\n')}\n`;
}

export interface CliIo {
  stdout: ProgressStream;
  stderr: ProgressStream;
}

/** The CLI without process handling, so a test can run it in-process. Returns the exit code. */
/** `env` defaults to the process environment (tests pass their own, so nothing is written to ./data). */
export async function runImportCli(argv: string[], io: CliIo, env?: Record<string, string | undefined>): Promise<number> {
  const args = parseArgs(argv);
  if ('help' in args) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if ('error' in args) {
    io.stderr.write(`${args.error}\n\n${USAGE}\n`);
    return 2;
  }
  const config = loadConfig(env);
  const database: DatabaseConfig = args.targetDatabaseUrl ? { kind: 'postgres', url: args.targetDatabaseUrl, poolSize: 2 } : config.database;
  const db = await openDatabase(database);
  try {
    const box = new SecretBox(config.secrets.encryptionKey, config.secrets.previousEncryptionKeys);
    const bar = new ProgressBar(io.stderr, 'metric rows');
    const summary = await new AoaiImporter(new ImportRepository(db.dataSource), box, { githubSignIn: !!config.attendeeSignIn.github }).run(
      { connectionString: args.from, encryptionKey: args.encryptionKey, dryRun: args.dryRun },
      (done, total) => bar.update(done, total),
    );
    bar.finish();
    io.stdout.write(args.json ? `${JSON.stringify(summary, null, 2)}\n` : formatSummary(summary, describeConnection(args.from)));
    return 0;
  } catch (err) {
    // Domain errors carry a sentence meant for people; anything else is reported by its message only.
    io.stderr.write(`Import failed: ${err instanceof DomainError ? err.message : (err as Error).message}\n`);
    return 1;
  } finally {
    await db.close();
  }
}

if (require.main === module) {
  runImportCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`Import failed: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
