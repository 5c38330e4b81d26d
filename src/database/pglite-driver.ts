import { EventEmitter } from 'node:events';
import type { PGlite, Results } from '@electric-sql/pglite';

/**
 * A minimal `pg`-compatible driver over one PGlite instance, handed to TypeORM as `driver`.
 *
 * PGlite has a single session, so the pool leases it exclusively (FIFO): a transaction opened by one
 * query runner can never interleave with another's statements (typeorm-pglite's global session let a
 * rollback undo someone else's insert).
 */

type QueryCallback = (err: Error | null, result?: PgResult) => void;

interface PgResult {
  rows: unknown[];
  rowCount: number;
  command: string;
  fields: { name: string; dataTypeID: number }[];
}

function commandOf(sql: string): string {
  const match = /^\s*(?:--[^\n]*\n\s*)*([a-zA-Z]+)/.exec(sql);
  return (match?.[1] ?? '').toUpperCase();
}

function toPgResult(sql: string, res: Results): PgResult {
  return {
    rows: res.rows,
    rowCount: res.affectedRows ?? res.rows.length,
    command: commandOf(sql),
    fields: res.fields.map((f) => ({ name: f.name, dataTypeID: f.dataTypeID })),
  };
}

class PgliteClient extends EventEmitter {
  constructor(private readonly db: PGlite) {
    super();
  }

  query(text: string | { text: string; values?: unknown[] }, valuesOrCb?: unknown[] | QueryCallback, cb?: QueryCallback): Promise<PgResult> | void {
    const sql = typeof text === 'string' ? text : text.text;
    const values = Array.isArray(valuesOrCb) ? valuesOrCb : typeof text === 'object' ? text.values : undefined;
    const callback = typeof valuesOrCb === 'function' ? valuesOrCb : cb;
    const run = this.run(sql, values);
    if (!callback) return run;
    run.then((r) => callback(null, r), (e: Error) => callback(e));
  }

  private async run(sql: string, values?: unknown[]): Promise<PgResult> {
    if (values && values.length > 0) return toPgResult(sql, await this.db.query(sql, values));
    // Without parameters, allow several statements in one call (migrations, DDL).
    const results = await this.db.exec(sql);
    const last = results[results.length - 1] ?? { rows: [], fields: [], affectedRows: 0 };
    return toPgResult(sql, last);
  }
}

export interface PgliteDriver {
  Pool: new () => PglitePool;
  defaults: Record<string, unknown>;
}

export class PglitePool extends EventEmitter {
  private busy = false;
  private readonly waiters: (() => void)[] = [];
  private readonly client: PgliteClient;
  private ended = false;

  constructor(db: PGlite) {
    super();
    this.client = new PgliteClient(db);
  }

  connect(cb?: (err: Error | undefined, client: PgliteClient, release: (err?: unknown) => void) => void): Promise<PgliteClient> | void {
    const lease = new Promise<PgliteClient>((resolve, reject) => {
      if (this.ended) return reject(new Error('pool has ended'));
      const grant = () => {
        this.busy = true;
        resolve(this.client);
      };
      if (!this.busy) grant();
      else this.waiters.push(grant);
    });
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.busy = false;
    };
    if (!cb) {
      return lease.then((client) => Object.assign(Object.create(client) as PgliteClient, { release }));
    }
    lease.then(
      (client) => cb(undefined, client, release),
      (err: Error) => cb(err, this.client, () => undefined),
    );
  }

  /** Pool-level query: lease, run, release. */
  async query(sql: string, values?: unknown[]): Promise<PgResult> {
    const client = (await this.connect()) as PgliteClient & { release(): void };
    try {
      return (await client.query(sql, values)) as PgResult;
    } finally {
      client.release();
    }
  }

  end(cb?: (err?: Error) => void): Promise<void> | void {
    this.ended = true;
    if (cb) cb();
    else return Promise.resolve();
  }
}

export function createPgliteDriver(db: PGlite): PgliteDriver {
  return {
    Pool: class extends PglitePool {
      constructor() {
        super(db);
      }
    },
    defaults: {},
  };
}
