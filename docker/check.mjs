#!/usr/bin/env node
// Verifies docker/ without a Docker engine (CI has none):
//   1. lints docker/Dockerfile (rules below; hadolint too when it is installed);
//   2. validates docker/compose.yaml (`docker compose config -q` or `docker-compose config -q` when either
//      client is installed, plus structural checks of our own);
//   3. with --build: runs the image's build as a script in a temp directory. Every COPY from the context
//      honours .dockerignore, the RUN steps of the build stages run as written (WORKDIR mapped into the temp
//      directory), the runtime stage is assembled from its COPY --from lines, and then the image's CMD is
//      started there and its HEALTHCHECK command must pass, and SIGTERM must stop it.
// Plain Node (no build needed). Exits 1 on any finding. Usage: node docker/check.mjs [--build] [--keep]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, posix, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const dockerfilePath = join(here, 'Dockerfile');
const composePath = join(here, 'compose.yaml');
const problems = [];
const problem = (where, message) => problems.push(`${where}: ${message}`);
const say = (line) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Dockerfile parsing

/** Instructions with their line, continuation lines joined, comments and the parser directive dropped. */
export function parseDockerfile(text) {
  const out = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i];
    if (/^\s*(#.*)?$/.test(line)) continue;
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      i++;
      if (/^\s*#/.test(lines[i])) continue; // comments inside a continued instruction are dropped by Docker too
      line += lines[i];
    }
    const m = /^\s*([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) {
      problem(`Dockerfile:${start + 1}`, `cannot parse "${line.trim()}"`);
      continue;
    }
    out.push({ line: start + 1, op: m[1].toUpperCase(), args: m[2].trim() });
  }
  return out;
}

/** Splits instructions into stages; ARGs before the first FROM are global. */
function stagesOf(instructions) {
  const globalArgs = {};
  const stages = [];
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m) {
        problem(`Dockerfile:${ins.line}`, 'FROM must be "FROM image[:tag] AS name"');
        continue;
      }
      stages.push({ line: ins.line, image: m[1], name: m[2], instructions: [] });
    } else if (stages.length === 0) {
      if (ins.op !== 'ARG') problem(`Dockerfile:${ins.line}`, `${ins.op} before the first FROM`);
      const [name, value] = ins.args.split('=');
      globalArgs[name] = value;
    } else {
      stages[stages.length - 1].instructions.push(ins);
    }
  }
  return { globalArgs, stages };
}

const expand = (s, vars) => s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (all, name) => (name in vars ? vars[name] : all));

/** ENV in both forms: `ENV A=1 B=2` and the legacy `ENV A 1`. */
function parseEnv(args) {
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [name, ...rest] = args.split(/\s+/);
    return { [name]: rest.join(' ') };
  }
  const env = {};
  for (const m of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) env[m[1]] = m[2].replace(/^"(.*)"$/, '$1');
  return env;
}

/** COPY/ADD: flags, sources and destination (JSON or shell form). */
function parseCopy(args) {
  const flags = {};
  let rest = args;
  for (let m; (m = /^--([a-z-]+)(?:=(\S+))?\s+/.exec(rest)); rest = rest.slice(m[0].length)) flags[m[1]] = m[2] ?? true;
  const parts = rest.startsWith('[') ? JSON.parse(rest) : rest.split(/\s+/);
  return { flags, sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
}

// ---------------------------------------------------------------------------------------------
// .dockerignore

export function dockerignore(text) {
  const rules = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const negate = l.startsWith('!');
      const pattern = posix.normalize((negate ? l.slice(1) : l).replace(/^\/+/, '')).replace(/\/+$/, '');
      const source = pattern
        .split('/')
        .map((seg) => (seg === '**' ? '.*' : seg.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')))
        .join('/')
        .replace(/\.\*\//g, '(?:.*/)?');
      return { negate, re: new RegExp(`^${source}$`) };
    });
  /** A path is excluded when it, or a folder above it, matches the last rule that speaks about it. */
  return (path) => {
    const parts = path.split('/');
    let excluded = false;
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      for (const rule of rules) if (rule.re.test(prefix)) excluded = !rule.negate;
    }
    return excluded;
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Lint

const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|ENCRYPTION_KEY|API_KEY)/i;

function lintDockerfile() {
  const text = readFileSync(dockerfilePath, 'utf8');
  const { globalArgs, stages } = stagesOf(parseDockerfile(text));
  const where = (ins) => `Dockerfile:${ins.line}`;
  if (stages.length < 2) problem('Dockerfile', 'expected a multi-stage build');
  const names = new Set();
  const ignored = dockerignore(existsSync(join(root, '.dockerignore')) ? readFileSync(join(root, '.dockerignore'), 'utf8') : '');
  for (const [index, stage] of stages.entries()) {
    const image = expand(stage.image, globalArgs);
    const at = `Dockerfile:${stage.line}`;
    if (!stage.name) problem(at, 'every stage needs a name (FROM … AS name)');
    const [repo, tag] = image.split(':');
    if (!tag || tag === 'latest') problem(at, `pin the base image's tag (${image})`);
    if (repo === 'node' && !/^(22|24)([.-]|$)/.test(tag ?? '')) problem(at, `Node 22 or 24 base expected, got ${image}`);
    const last = index === stages.length - 1;
    let user;
    let workdir;
    const env = {};
    for (const ins of stage.instructions) {
      switch (ins.op) {
        case 'ADD':
          problem(where(ins), 'use COPY, not ADD (ADD fetches URLs and unpacks archives implicitly)');
          break;
        case 'WORKDIR':
          workdir = ins.args;
          if (!ins.args.startsWith('/')) problem(where(ins), 'WORKDIR must be absolute');
          break;
        case 'USER':
          user = ins.args;
          break;
        case 'ENV':
          Object.assign(env, parseEnv(ins.args));
          for (const [k, v] of Object.entries(parseEnv(ins.args))) if (SECRET_NAME.test(k) && v) problem(where(ins), `secret ${k} baked into the image`);
          break;
        case 'ARG':
          if (SECRET_NAME.test(ins.args.split('=')[0])) problem(where(ins), `build argument ${ins.args.split('=')[0]} looks like a secret (it stays in the image history)`);
          break;
        case 'RUN':
          if (/\bapt-get install\b/.test(ins.args)) {
            if (!/--no-install-recommends/.test(ins.args)) problem(where(ins), 'apt-get install without --no-install-recommends');
            if (!/-y\b|--yes/.test(ins.args)) problem(where(ins), 'apt-get install without -y');
            if (!/rm -rf \/var\/lib\/apt\/lists/.test(ins.args)) problem(where(ins), 'apt lists left in the layer (rm -rf /var/lib/apt/lists/*)');
            if (!/apt-get update/.test(ins.args)) problem(where(ins), 'apt-get install without apt-get update in the same RUN');
          }
          if (/\bcurl\b[^|]*\|\s*(ba)?sh/.test(ins.args)) problem(where(ins), 'piping a download into a shell');
          if (/\bsudo\b/.test(ins.args)) problem(where(ins), 'sudo in RUN');
          break;
        case 'COPY': {
          const { flags, sources } = parseCopy(ins.args);
          if (flags.from) {
            if (!names.has(flags.from)) problem(where(ins), `COPY --from=${flags.from}: no earlier stage of that name`);
          } else {
            for (const src of sources) {
              const rel = posix.normalize(src).replace(/^\.\/?/, '').replace(/\/$/, '');
              if (rel && !existsSync(join(root, rel))) problem(where(ins), `COPY source ${src} does not exist in the build context`);
              else if (rel && ignored(rel)) problem(where(ins), `COPY source ${src} is excluded by .dockerignore`);
            }
          }
          if (last && !flags.chown && !flags.from) problem(where(ins), 'runtime files should be owned by the runtime user (--chown)');
          break;
        }
        case 'CMD':
        case 'ENTRYPOINT':
          if (!ins.args.startsWith('[')) problem(where(ins), `${ins.op} in exec form (JSON array), so signals reach the process`);
          break;
        case 'HEALTHCHECK':
          if (!/\bCMD\b/.test(ins.args)) problem(where(ins), 'HEALTHCHECK without CMD');
          break;
        default:
          break;
      }
    }
    if (last) {
      const ops = stage.instructions.map((i) => i.op);
      if (!user || user === 'root' || user === '0') problem(at, 'the runtime stage must switch to a non-root USER');
      else if (ops.lastIndexOf('USER') > ops.lastIndexOf('CMD')) problem(at, 'USER must come before CMD');
      if (!ops.includes('HEALTHCHECK')) problem(at, 'the runtime stage needs a HEALTHCHECK');
      if (!ops.includes('CMD')) problem(at, 'the runtime stage needs a CMD');
      if (!workdir) problem(at, 'the runtime stage needs a WORKDIR');
      const exposed = stage.instructions.filter((i) => i.op === 'EXPOSE').flatMap((i) => i.args.split(/\s+/).map((p) => p.split('/')[0]));
      if (env.PORT && !exposed.includes(env.PORT)) problem(at, `EXPOSE ${exposed.join(' ') || '(none)'} does not include PORT=${env.PORT}`);
      if (env.NODE_ENV !== 'production') problem(at, 'the runtime stage should set NODE_ENV=production');
    }
    if (stage.name) names.add(stage.name);
  }
  const hadolint = spawnSync('hadolint', ['--ignore', 'DL3008', dockerfilePath], { encoding: 'utf8' });
  if (hadolint.error) say('  hadolint not installed; own rules only');
  else if (hadolint.status !== 0) problem('hadolint', hadolint.stdout.trim() || hadolint.stderr.trim());
  else say('  hadolint: clean');
  return { globalArgs, stages };
}

// ---------------------------------------------------------------------------------------------
// 2. Compose

function checkCompose() {
  const dummy = { ...process.env, ADMIN_TOKEN: 'x'.repeat(32), ENCRYPTION_KEY: 'y'.repeat(32) };
  let validated = false;
  for (const [cmd, args] of [
    ['docker', ['compose', '-f', composePath, 'config', '-q']],
    ['docker-compose', ['-f', composePath, 'config', '-q']],
  ]) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: dummy, cwd: here });
    if (r.error || /unknown (command|shorthand flag)|is not a docker command/.test(r.stderr ?? '')) continue;
    if (r.status !== 0) problem('compose.yaml', `${cmd} ${args.join(' ')}: ${(r.stderr || r.stdout).trim()}`);
    else say(`  ${cmd} ${args[0] === 'compose' ? 'compose ' : ''}config -q: valid`);
    validated = true;
    break;
  }
  if (!validated) say('  no docker compose client installed; structural checks only');
  // Without the required secrets, compose must refuse rather than start with empty ones.
  if (validated) {
    const env = { ...process.env };
    delete env.ADMIN_TOKEN;
    delete env.ENCRYPTION_KEY;
    const cmd = spawnSync('docker-compose', ['-f', composePath, 'config', '-q'], { encoding: 'utf8', env, cwd: here });
    if (!cmd.error && cmd.status === 0 && !existsSync(join(here, '.env'))) problem('compose.yaml', 'accepted a configuration without ADMIN_TOKEN');
  }

  let YAML;
  try {
    YAML = createRequire(join(root, 'package.json'))('yaml');
  } catch {
    say('  the yaml package is not installed; structural checks skipped');
    return;
  }
  const doc = YAML.parse(readFileSync(composePath, 'utf8'));
  const services = doc?.services ?? {};
  const proxy = services['ai-proxy'];
  if (!proxy) return problem('compose.yaml', 'no ai-proxy service');
  const dockerfile = join(here, proxy.build?.context ?? '.', proxy.build?.dockerfile ?? 'Dockerfile');
  if (resolve(dockerfile) !== dockerfilePath) problem('compose.yaml', `ai-proxy builds ${relative(root, dockerfile)}, not docker/Dockerfile`);
  const env = proxy.environment ?? {};
  for (const [name, service, port] of [
    ['DATABASE_URL', 'postgres', '5432'],
    ['REDIS_URL', 'redis', '6379'],
  ]) {
    if (!services[service]) problem('compose.yaml', `no ${service} service`);
    const url = String(env[name] ?? '');
    if (!url.includes(`@${service}:${port}`) && !url.includes(`//${service}:${port}`)) problem('compose.yaml', `${name} should point at the ${service} service (${url || 'unset'})`);
  }
  for (const secret of ['ADMIN_TOKEN', 'ENCRYPTION_KEY']) {
    if (!/\$\{[A-Z_]+:\?/.test(String(env[secret] ?? ''))) problem('compose.yaml', `${secret} must be required from the environment (\${${secret}:?…})`);
  }
  for (const [dep, spec] of Object.entries(proxy.depends_on ?? {})) {
    if (!services[dep]) problem('compose.yaml', `depends_on ${dep}: no such service`);
    else if (spec?.condition === 'service_healthy' && !services[dep].healthcheck) problem('compose.yaml', `${dep} has no healthcheck for service_healthy`);
  }
  for (const [name, svc] of Object.entries(services)) {
    if (svc.image && !/:[^/]+$/.test(svc.image)) problem('compose.yaml', `${name}: pin the image tag (${svc.image})`);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. Build steps as a script

function copyFromContext(src, destAbs, ignored) {
  const rel = posix.normalize(src).replace(/^\.\/?/, '').replace(/\/$/, '');
  const from = join(root, rel);
  cpSync(from, destAbs, {
    recursive: true,
    filter: (p) => {
      const r = relative(root, p).split('\\').join('/');
      return r === '' || !ignored(r);
    },
  });
}

function freePort() {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

async function runBuild({ globalArgs, stages }, keep) {
  const tmp = mkdtempSync(join(tmpdir(), 'ai-proxy-image-'));
  say(`  building in ${tmp}`);
  const ignored = dockerignore(existsSync(join(root, '.dockerignore')) ? readFileSync(join(root, '.dockerignore'), 'utf8') : '');
  const fsRoot = (stage) => join(tmp, stage.name);
  const inStage = (stage, abs) => join(fsRoot(stage), abs);
  const built = new Map();
  let runtime;
  try {
    for (const [index, stage] of stages.entries()) {
      const last = index === stages.length - 1;
      mkdirSync(fsRoot(stage), { recursive: true });
      let workdir = '/';
      const env = {};
      const args = { ...globalArgs };
      for (const ins of stage.instructions) {
        const cwd = inStage(stage, workdir);
        if (ins.op === 'WORKDIR') {
          workdir = posix.resolve(workdir, expand(ins.args, { ...args, ...env }));
          mkdirSync(inStage(stage, workdir), { recursive: true });
        } else if (ins.op === 'ENV') {
          Object.assign(env, parseEnv(ins.args));
        } else if (ins.op === 'ARG') {
          const [k, v] = ins.args.split('=');
          args[k] = v ?? args[k];
        } else if (ins.op === 'COPY') {
          const { flags, sources, dest } = parseCopy(ins.args);
          const destAbs = dest.startsWith('/') ? inStage(stage, dest) : join(cwd, dest);
          for (const src of sources) {
            const multiple = sources.length > 1 || dest.endsWith('/');
            if (flags.from) {
              const other = built.get(flags.from);
              const fromAbs = join(fsRoot(other), src);
              const target = multiple ? join(destAbs, posix.basename(src)) : destAbs;
              mkdirSync(dirname(target), { recursive: true });
              cpSync(fromAbs, target, { recursive: true });
            } else {
              const target = multiple && !statSync(join(root, src)).isDirectory() ? join(destAbs, posix.basename(src)) : destAbs;
              mkdirSync(dirname(target), { recursive: true });
              copyFromContext(src, target, ignored);
            }
          }
        } else if (ins.op === 'RUN' && !last) {
          // The runtime stage's RUN steps touch the image's system folders (apt, /data); they are not run here.
          say(`  [${stage.name}] RUN ${ins.args.length > 100 ? `${ins.args.slice(0, 100)}…` : ins.args}`);
          const started = Date.now();
          const r = spawnSync('sh', ['-c', ins.args], {
            cwd,
            stdio: 'inherit',
            env: { ...process.env, ...env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
          });
          if (r.status !== 0) {
            problem(`Dockerfile:${ins.line}`, `RUN failed with ${r.status ?? r.signal}`);
            return;
          }
          say(`    done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
        } else if (ins.op === 'CMD' && last) {
          runtime = { stage, cwd, env, cmd: JSON.parse(ins.args) };
        } else if (ins.op === 'HEALTHCHECK' && last) {
          const m = /\bCMD\s+(.*)$/.exec(ins.args);
          if (m && runtime) runtime.health = JSON.parse(m[1]);
          else if (m) stage.health = JSON.parse(m[1]);
        }
      }
      if (runtime && stage.health) runtime.health = stage.health;
      built.set(stage.name, stage);
    }
    if (!runtime) return problem('Dockerfile', 'no CMD in the runtime stage');
    await bootRuntime(runtime, tmp);
  } finally {
    if (keep) say(`  kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

/** Starts the assembled runtime with its CMD and waits for its HEALTHCHECK command to pass, then SIGTERM. */
async function bootRuntime(runtime, tmp) {
  const port = await freePort();
  const dataDir = join(tmp, 'data');
  mkdirSync(dataDir, { recursive: true });
  const env = {
    PATH: process.env.PATH,
    ...runtime.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    ADMIN_TOKEN: randomBytes(24).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
  };
  const portal = join(runtime.cwd, 'admin-ui', 'dist', 'admin-ui', 'browser', 'index.html');
  if (!existsSync(portal)) problem('image', 'the portal is missing from the runtime stage');
  // Tools only a developer needs (typescript is not among them: @nestjs/swagger depends on it at run time).
  for (const dev of ['jest', 'eslint', 'prettier', '@nestjs/testing']) {
    if (existsSync(join(runtime.cwd, 'node_modules', dev))) problem('image', `dev dependency ${dev} is in the runtime node_modules`);
  }
  const [cmd, ...args] = runtime.cmd;
  say(`  [runtime] ${runtime.cmd.join(' ')} (PORT=${port}, PGlite in a temp DATA_DIR)`);
  const child = spawn(cmd, args, { cwd: runtime.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  const deadline = Date.now() + 90_000;
  let healthy = false;
  while (Date.now() < deadline && child.exitCode === null) {
    const [hcmd, ...hargs] = runtime.health ?? [];
    const r = spawnSync(hcmd, hargs, { env, encoding: 'utf8', timeout: 3_000 });
    if (r.status === 0) {
      healthy = true;
      break;
    }
    await new Promise((r2) => setTimeout(r2, 500));
  }
  if (!healthy) problem('image', `the HEALTHCHECK never passed${child.exitCode !== null ? ` (the server exited ${child.exitCode})` : ''}: ${stderr.trim().slice(-800)}`);
  else say('  [runtime] HEALTHCHECK passed');
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((done) => child.once('exit', (code, signal) => done(signal ? `signal ${signal}` : `code ${code}`)));
  child.kill('SIGTERM');
  const how = await Promise.race([exited, new Promise((done) => setTimeout(() => done('timeout'), 45_000))]);
  if (how === 'timeout') {
    child.kill('SIGKILL');
    problem('image', 'the server did not stop within 45 s of SIGTERM');
  } else {
    say(`  [runtime] stopped on SIGTERM (${how})`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const build = process.argv.includes('--build');
  say('Dockerfile');
  const parsed = lintDockerfile();
  say('compose.yaml');
  checkCompose();
  if (build && problems.length === 0) {
    say('build steps');
    await runBuild(parsed, process.argv.includes('--keep'));
  }
  if (problems.length > 0) {
    say(`\n${problems.length} problem(s):`);
    for (const p of problems) say(`  - ${p}`);
    process.exit(1);
  }
  say('docker/: no problems');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    process.stderr.write(`${err instanceof Error ? err.stack : err}\n`);
    process.exit(1);
  });
}
