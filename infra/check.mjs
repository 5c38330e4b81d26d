#!/usr/bin/env node
// Structural checks of the azd + Bicep deployment, for CI. The Bicep CLI is not installable here (neither
// npm nor Debian ships it), so the templates are NOT compiled: this catches what a cheap parse can —
// module paths, parameters passed to modules that they do not declare (or required ones not passed),
// module outputs read that do not exist, parameters declared and never used, main.parameters.json and
// azure.yaml against main.bicep, bracket balance, API-version shape — and checks the deployment against the
// product: every environment variable the app is given exists in src/config/env.schema.ts, the probes hit
// routes the app serves, and PostgreSQL allow-lists the extensions the migrations create.
// Usage: node infra/check.mjs   (exits 1 on any finding)
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const problems = [];
const problem = (where, message) => problems.push(`${where}: ${message}`);
const rel = (p) => p.slice(root.length + 1);

/**
 * Bicep text with comments removed and the literal parts of strings blanked (interpolations kept, since they
 * are code), so braces, names and `//` inside strings do not count. Line breaks are preserved.
 */
function code(text) {
  let out = '';
  let i = 0;
  const blank = (s) => s.replace(/[^\n]/g, ' ');
  /** From an opening quote to its closing one; recurses into ${…}. */
  const string = () => {
    out += "'";
    i++;
    while (i < text.length && text[i] !== "'") {
      if (text[i] === '\\') {
        out += '  ';
        i += 2;
      } else if (text[i] === '$' && text[i + 1] === '{') {
        out += '${';
        i += 2;
        expression('}');
        out += '}';
        i++;
      } else {
        out += text[i] === '\n' ? '\n' : ' ';
        i++;
      }
    }
    out += "'";
    i++;
  };
  /** Code up to (not including) an unmatched `until`, or the end. */
  const expression = (until) => {
    let depth = 0;
    while (i < text.length) {
      const ch = text[i];
      if (until && depth === 0 && ch === until) return;
      if (text.startsWith("'''", i)) {
        const end = text.indexOf("'''", i + 3);
        out += blank(text.slice(i, end + 3));
        i = end + 3;
      } else if (ch === "'") {
        string();
      } else if (text.startsWith('//', i)) {
        const end = text.indexOf('\n', i);
        const stop = end === -1 ? text.length : end;
        out += blank(text.slice(i, stop));
        i = stop;
      } else if (text.startsWith('/*', i)) {
        const end = text.indexOf('*/', i + 2) + 2;
        out += blank(text.slice(i, end));
        i = end;
      } else {
        if (ch === '{') depth++;
        else if (ch === '}') depth--;
        out += ch;
        i++;
      }
    }
  };
  expression(undefined);
  return out;
}

export function parseBicep(file) {
  const text = readFileSync(file, 'utf8');
  const stripped = code(text);
  const params = new Map();
  for (const m of stripped.matchAll(/^\s*param\s+([A-Za-z_]\w*)\s+(\w+)(\s*=)?/gm)) params.set(m[1], { type: m[2], hasDefault: Boolean(m[3]) });
  const outputs = new Map();
  for (const m of stripped.matchAll(/^\s*output\s+([A-Za-z_]\w*)\s+(\w+)/gm)) outputs.set(m[1], m[2]);
  const modules = [];
  for (const m of text.matchAll(/^\s*module\s+(\w+)\s+'([^']+)'\s*=\s*(?:if\s*\([^)]*\)\s*)?\{/gm)) {
    // The module's body: from its opening brace to the matching one.
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (let i = end; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        end = i;
        break;
      }
    }
    const body = text.slice(m.index, end + 1);
    const paramsBlock = /params:\s*\{([\s\S]*)\}\s*\}\s*$/.exec(body)?.[1] ?? '';
    // Top-level keys of the params object only (nested objects' keys are values, not parameters).
    const keys = [];
    let d = 0;
    for (const line of paramsBlock.split(/\n|,(?![^{]*\})/)) {
      const key = d === 0 ? /^\s*\{?\s*([A-Za-z_]\w*)\s*:/.exec(line)?.[1] : undefined;
      if (key) keys.push(key);
      d += (line.match(/[{[(]/g) ?? []).length - (line.match(/[}\])]/g) ?? []).length;
    }
    modules.push({ symbol: m[1], path: m[2], keys, line: text.slice(0, m.index).split('\n').length });
  }
  const resources = [...text.matchAll(/^\s*resource\s+(\w+)\s+'([^'@]+)@([^']+)'\s*(existing)?/gm)].map((m) => ({
    symbol: m[1],
    type: m[2],
    apiVersion: m[3],
    existing: Boolean(m[4]),
    body: bodyAt(stripped, m.index),
  }));
  return { file, text, stripped, params, outputs, modules, resources };
}

/** The `{…}` block that starts at or after `from` (comments and string literals already blanked). */
function bodyAt(stripped, from) {
  const start = stripped.indexOf('{', from);
  let depth = 0;
  for (let i = start; i < stripped.length; i++) {
    if (stripped[i] === '{') depth++;
    else if (stripped[i] === '}' && --depth === 0) return stripped.slice(start, i + 1);
  }
  return stripped.slice(start);
}

function checkBalance(b) {
  const pairs = { '{': '}', '[': ']', '(': ')' };
  const stack = [];
  for (const [i, ch] of [...b.stripped].entries()) {
    if (pairs[ch]) stack.push([ch, i]);
    else if (Object.values(pairs).includes(ch)) {
      const top = stack.pop();
      if (!top || pairs[top[0]] !== ch) return problem(rel(b.file), `unbalanced "${ch}" at line ${b.stripped.slice(0, i).split('\n').length}`);
    }
  }
  if (stack.length > 0) problem(rel(b.file), `unclosed "${stack[stack.length - 1][0]}"`);
}

function checkFile(b) {
  checkBalance(b);
  for (const r of b.resources) {
    if (!/^\d{4}-\d{2}-\d{2}(-preview)?$/.test(r.apiVersion)) problem(rel(b.file), `resource ${r.symbol}: odd API version ${r.apiVersion}`);
  }
  for (const [name] of b.params) {
    const uses = b.stripped.match(new RegExp(`(?<![\\w.'])${name}\\b`, 'g'))?.length ?? 0;
    if (uses < 2) problem(rel(b.file), `parameter ${name} is never used`);
  }
  for (const m of b.stripped.matchAll(/@secure\(\)\s*param\s+(\w+)/g)) {
    if (new RegExp(`output\\s+\\w+\\s+\\w+\\s*=.*\\b${m[1]}\\b`).test(b.stripped)) problem(rel(b.file), `secure parameter ${m[1]} is written to an output`);
  }
  // BCP138: a for-expression may only be the value of a declaration (`=`) or of a resource/module property (`:`),
  // never a function argument or an array element.
  for (const m of b.stripped.matchAll(/\[\s*for\b/g)) {
    const before = b.stripped.slice(0, m.index).trimEnd().slice(-1);
    if (before !== '=' && before !== ':') {
      problem(rel(b.file), `line ${b.stripped.slice(0, m.index).split('\n').length}: a for-expression is not allowed here (BCP138); give it its own variable`);
    }
  }
  // Reading a resource through `existing` in the template that also deploys it references what that deployment
  // is changing; azd's generated templates read it in a separate module (fetch-container-image.bicep).
  for (const r of b.resources.filter((x) => x.existing)) {
    if (b.resources.some((x) => !x.existing && x.type === r.type)) problem(rel(b.file), `resource ${r.symbol}: reads an existing ${r.type} that this file also deploys; read it in a separate module, as azd's templates do`);
  }
  if (/\blistKeys\(\)[^\n]*$/m.test(b.stripped.split('\n').filter((l) => /^\s*output\b/.test(l)).join('\n'))) problem(rel(b.file), 'a key is written to an output');
}

function checkModules(b, seen) {
  for (const m of b.modules) {
    const target = resolve(dirname(b.file), m.path);
    const at = `${rel(b.file)}:${m.line}`;
    if (!existsSync(target)) {
      problem(at, `module ${m.symbol}: ${m.path} does not exist`);
      continue;
    }
    const mod = seen.get(target) ?? parseBicep(target);
    seen.set(target, mod);
    for (const key of m.keys) if (!mod.params.has(key)) problem(at, `module ${m.symbol} passes ${key}, which ${m.path} does not declare`);
    for (const [name, p] of mod.params) if (!p.hasDefault && !m.keys.includes(name)) problem(at, `module ${m.symbol} does not pass required parameter ${name}`);
    for (const r of b.stripped.matchAll(new RegExp(`\\b${m.symbol}\\.outputs\\.(\\w+)`, 'g'))) {
      if (!mod.outputs.has(r[1])) problem(at, `${m.symbol}.outputs.${r[1]} is not an output of ${m.path}`);
    }
    checkModules(mod, seen);
  }
}

function envSchemaKeys() {
  const schema = readFileSync(join(root, 'src', 'config', 'env.schema.ts'), 'utf8');
  return new Set([...schema.matchAll(/^\s{2}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1]));
}

function main() {
  const mainFile = join(here, 'main.bicep');
  const seen = new Map();
  const mainBicep = parseBicep(mainFile);
  seen.set(mainFile, mainBicep);
  checkModules(mainBicep, seen);
  for (const f of readdirSync(join(here, 'modules')).filter((f) => f.endsWith('.bicep'))) {
    const p = join(here, 'modules', f);
    if (!seen.has(p)) problem(`infra/modules/${f}`, 'not used by main.bicep');
  }
  for (const b of seen.values()) checkFile(b);

  // main.parameters.json against main.bicep
  const paramsJson = JSON.parse(readFileSync(join(here, 'main.parameters.json'), 'utf8')).parameters;
  for (const name of Object.keys(paramsJson)) if (!mainBicep.params.has(name)) problem('infra/main.parameters.json', `${name} is not a parameter of main.bicep`);
  for (const [name, p] of mainBicep.params) if (!p.hasDefault && !(name in paramsJson)) problem('infra/main.parameters.json', `required parameter ${name} is not set`);
  if (!/targetScope\s*=\s*'subscription'/.test(mainBicep.text)) problem('infra/main.bicep', "azd expects targetScope = 'subscription'");
  for (const out of ['AZURE_CONTAINER_REGISTRY_ENDPOINT', 'AZURE_RESOURCE_GROUP', 'SERVICE_PROXY_NAME']) {
    if (!mainBicep.outputs.has(out)) problem('infra/main.bicep', `azd needs output ${out}`);
  }

  // azure.yaml
  try {
    const YAML = createRequire(join(root, 'package.json'))('yaml');
    const azure = YAML.parse(readFileSync(join(root, 'azure.yaml'), 'utf8'));
    const infraDir = join(root, azure.infra?.path ?? 'infra');
    if (!existsSync(join(infraDir, `${azure.infra?.module ?? 'main'}.bicep`))) problem('azure.yaml', 'infra.path/module does not name a Bicep file');
    for (const [name, svc] of Object.entries(azure.services ?? {})) {
      if (svc.host !== 'containerapp') problem('azure.yaml', `service ${name} should be hosted on containerapp`);
      if (!existsSync(join(root, svc.project ?? '.', svc.docker?.path ?? 'Dockerfile'))) problem('azure.yaml', `service ${name}: ${svc.docker?.path} does not exist`);
      if (!new RegExp(`'azd-service-name':\\s*serviceName`).test(readFileSync(join(here, 'modules', 'containerapp.bicep'), 'utf8')) || !new RegExp(`serviceName:\\s*'${name}'`).test(mainBicep.text)) {
        problem('azure.yaml', `no container app is tagged azd-service-name: ${name}`);
      }
      const upper = name.toUpperCase();
      if (!(`${name}Exists` in paramsJson) || !JSON.stringify(paramsJson[`${name}Exists`]).includes(`SERVICE_${upper}_RESOURCE_EXISTS`)) {
        problem('infra/main.parameters.json', `${name}Exists should come from SERVICE_${upper}_RESOURCE_EXISTS`);
      }
    }
  } catch (err) {
    problem('azure.yaml', err instanceof Error ? err.message : String(err));
  }

  // The deployment against the product
  const app = readFileSync(join(here, 'modules', 'containerapp.bicep'), 'utf8');
  const known = envSchemaKeys();
  const given = new Set([...app.matchAll(/\{\s*name:\s*'([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]));
  for (const m of app.matchAll(/'[a-z-]+':\s*'([A-Z][A-Z0-9_]*)'/g)) given.add(m[1]);
  for (const name of given) if (name !== 'NODE_ENV' && !known.has(name)) problem('infra/modules/containerapp.bicep', `environment variable ${name} is not in src/config/env.schema.ts`);
  for (const required of ['DATABASE_URL', 'ENCRYPTION_KEY', 'ADMIN_TOKEN', 'REDIS_URL']) {
    if (!given.has(required)) problem('infra/modules/containerapp.bicep', `${required} is not given to the app`);
  }
  const health = readFileSync(join(root, 'src', 'health', 'health.controller.ts'), 'utf8');
  for (const m of app.matchAll(/path:\s*(?:exists \? )?'(\/[a-z]+)'/g)) {
    if (!health.includes(`@Get('${m[1].slice(1)}')`)) problem('infra/modules/containerapp.bicep', `probe path ${m[1]} is not served by the app`);
  }
  // Container Apps probe limits (ContainerAppProbe): failureThreshold 1–10, periodSeconds 1–240,
  // initialDelaySeconds 0–60, timeoutSeconds 1–240, successThreshold 1–10.
  const limits = { failureThreshold: [1, 10], periodSeconds: [1, 240], initialDelaySeconds: [0, 60], timeoutSeconds: [1, 240], successThreshold: [1, 10] };
  for (const m of app.matchAll(/\b(failureThreshold|periodSeconds|initialDelaySeconds|timeoutSeconds|successThreshold):\s*(\d+)/g)) {
    const [lo, hi] = limits[m[1]];
    if (Number(m[2]) < lo || Number(m[2]) > hi) problem('infra/modules/containerapp.bicep', `probe ${m[1]} ${m[2]} is outside ${lo}–${hi}`);
  }
  if (!/scale:[\s\S]*minReplicas[\s\S]*maxReplicas[\s\S]*http:/.test(app)) problem('infra/modules/containerapp.bicep', 'needs min/max replicas and an HTTP scale rule');
  if (!/keyVaultUrl:/.test(app) || !/identity:\s*identityId/.test(app)) problem('infra/modules/containerapp.bicep', 'secrets should be Key Vault references read with the managed identity');
  const pg = readFileSync(join(here, 'modules', 'postgres.bicep'), 'utf8');
  const allowed = (/name:\s*'azure\.extensions'[\s\S]*?value:\s*'([^']*)'/.exec(pg)?.[1] ?? '').toUpperCase().split(',');
  const migrations = readdirSync(join(root, 'migrations')).map((f) => readFileSync(join(root, 'migrations', f), 'utf8')).join('\n');
  for (const m of migrations.matchAll(/CREATE EXTENSION IF NOT EXISTS\s+"?(\w+)"?/gi)) {
    if (!allowed.includes(m[1].toUpperCase())) problem('infra/modules/postgres.bicep', `migrations create extension ${m[1]}, which azure.extensions does not allow`);
  }
  if (!allowed.includes('PGCRYPTO')) problem('infra/modules/postgres.bicep', 'pgcrypto must be allow-listed');
  // The server takes one change at a time (ServerIsBusy otherwise): its children must be chained by dependsOn.
  const pgChildren = [...seen.values()].flatMap((b) => b.resources).filter((r) => !r.existing && r.type.startsWith('Microsoft.DBforPostgreSQL/flexibleServers/'));
  const unchained = pgChildren.filter((r) => !/\bdependsOn\s*:/.test(r.body));
  if (unchained.length > 1) problem('infra/modules/postgres.bicep', `${unchained.map((r) => r.symbol).join(', ')} would be deployed in parallel; chain them with dependsOn`);
  if (!/sslmode=verify-full/.test(mainBicep.text)) problem('infra/main.bicep', 'DATABASE_URL should ask for TLS with sslmode=verify-full (pg treats require as verify-full, with a warning)');

  // The README tells a newcomer every variable the deployment reads.
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const m of JSON.stringify(paramsJson).matchAll(/\$\{(AI_PROXY_\w+)/g)) {
    if (!readme.includes(m[1])) problem('README.md', `${m[1]} (infra/main.parameters.json) is not documented`);
  }

  const files = seen.size;
  if (problems.length > 0) {
    process.stdout.write(`infra/: ${problems.length} problem(s) in ${files} Bicep files:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`infra/: ${files} Bicep files and azure.yaml consistent (structural check; Bicep not compiled: no Bicep CLI here)\n`);
}

main();
