import { createHash } from 'node:crypto';
import { isValidTimeZone } from '../../events/event-window';
import { MODEL_CLASSES, type ModelClass } from '../../resources/resource.types';
import { WINDOWS_TO_IANA } from './windows-zones';

/** Azure AI Proxy's `aoai.model_type` values, every version of its enum. */
export const AOAI_MODEL_TYPES = [
  'openai-chat',
  'openai-embedding',
  'openai-dalle2',
  'openai-dalle3',
  'openai-whisper',
  'openai-completion',
  'openai-instruct',
  'azure-ai-search',
  'openai-assistant',
] as const;

const MODEL_CLASS_OF: Record<string, string> = {
  'openai-chat': 'openai-chat',
  'openai-embedding': 'openai-embeddings',
  'openai-dalle2': 'openai-dall-e-2',
  'openai-dalle3': 'openai-dall-e-3',
  'openai-whisper': 'openai-audio-transcription',
  'openai-completion': 'openai-completions',
  // gpt-35-turbo-instruct is served by the completions operation.
  'openai-instruct': 'openai-completions',
  'azure-ai-search': 'azure-ai-search',
  'openai-assistant': 'openai-assistant',
};

/** The route family:operation our usage records name, for a source model type. */
const ROUTE_OF: Record<string, string> = {
  'openai-chat': 'chat/completions',
  'openai-embedding': 'embeddings',
  'openai-dalle2': 'images/generations',
  'openai-dalle3': 'images/generations',
  'openai-whisper': 'audio/transcriptions',
  'openai-completion': 'completions',
  'openai-instruct': 'completions',
  'azure-ai-search': 'docs/search',
  'openai-assistant': 'assistants',
};

export type ModelClassMapping = { ok: true; modelClass: ModelClass } | { ok: false; reason: string };

/** Our model class for a source model type; `known` is passed in so a class added later is picked up. */
export function mapModelType(modelType: string, known: readonly string[] = MODEL_CLASSES): ModelClassMapping {
  const target = MODEL_CLASS_OF[modelType];
  if (!target) return { ok: false, reason: `model type '${modelType}' has no counterpart here` };
  if (!known.includes(target)) return { ok: false, reason: `model class '${target}' is not supported by this version` };
  return { ok: true, modelClass: target as ModelClass };
}

export function usageRoute(modelType: string): string {
  return `aoai-import:${ROUTE_OF[modelType] ?? modelType}`;
}

/** Splits a metric's `resource` ("openai-chat | gpt-4o", cut at 64 characters) into its parts. */
export function parseMetricResource(resource: string): { modelType: string; deployment: string } {
  const at = resource.indexOf(' | ');
  if (at < 0) return { modelType: '', deployment: resource.trim() };
  return { modelType: resource.slice(0, at).trim(), deployment: resource.slice(at + 3).trim() };
}

interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

/** Parses `YYYY-MM-DDTHH:MM:SS[.ffffff]` (a PostgreSQL timestamp without time zone, as text). */
export function parseWallTime(text: string): WallTime {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text.trim());
  if (!m) throw new Error(`not a local timestamp: '${text}'`);
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    ms: Math.floor(Number((m[7] ?? '0').padEnd(6, '0')) / 1000),
  };
}

function wallAsUtc(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second, w.ms);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `zone` from UTC at `instant`, in minutes (positive east of Greenwich). */
export function zoneOffsetMinutes(instant: number, zone: string): number {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instant))) if (part.type !== 'literal') p[part.type] = Number(part.value);
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return Math.round((asUtc - Math.floor(instant / 1000) * 1000) / 60_000);
}

/**
 * The instant a wall-clock time occurs in `zone` (DST-aware): an ambiguous time (autumn) is its first
 * occurrence; a time skipped by spring-forward is read with the offset before the gap, landing after it.
 */
export function wallTimeInZoneToUtc(text: string, zone: string): Date {
  const guess = wallAsUtc(parseWallTime(text));
  const before = zoneOffsetMinutes(guess - 86_400_000, zone);
  const after = zoneOffsetMinutes(guess + 86_400_000, zone);
  const valid = [...new Set([before, after])]
    .map((offset) => guess - offset * 60_000)
    .filter((instant) => guess - zoneOffsetMinutes(instant, zone) * 60_000 === instant)
    .sort((x, y) => x - y);
  return new Date(valid[0] ?? guess - before * 60_000);
}

/** The instant a wall-clock time occurs at a fixed offset from UTC. */
export function wallTimeAtOffsetToUtc(text: string, offsetMinutes: number): Date {
  return new Date(wallAsUtc(parseWallTime(text)) - offsetMinutes * 60_000);
}

/** An IANA name for a fixed offset: Etc/GMT±h for whole hours (POSIX sign, inverted), else UTC. */
export function zoneForOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return 'UTC';
  if (offsetMinutes % 60 !== 0 || offsetMinutes < -12 * 60 || offsetMinutes > 14 * 60) return 'UTC';
  const hours = offsetMinutes / 60;
  return `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

function ianaForLabel(label: string): string | undefined {
  const trimmed = label.trim();
  if (!trimmed) return undefined;
  const windows = WINDOWS_TO_IANA[trimmed];
  if (windows && isValidTimeZone(windows)) return windows;
  // An IANA id, as .NET on Linux stores it. Intl also accepts abbreviations such as "EST"; those are fine.
  if (/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(trimmed) && isValidTimeZone(trimmed)) return trimmed;
  return undefined;
}

export interface ResolvedZone {
  /** The IANA zone the event gets here. */
  timeZone: string;
  /** `label`: the source's label named a zone whose offsets agree with the stored one; `offset`: only the offset was usable. */
  basis: 'label' | 'offset';
  warning?: string;
}

/**
 * Azure AI Proxy stored the admin's TimeZoneInfo.Id and its *base* offset (no DST; its create form even
 * kept only the minutes part). The label is therefore the better source: it is used when it names a
 * zone and the stored offset is one that zone has (standard, daylight, or the minutes part of standard).
 */
export function resolveEventZone(label: string, offsetMinutes: number, localStart: string): ResolvedZone {
  const zone = ianaForLabel(label);
  if (zone) {
    const year = parseWallTime(localStart).year;
    const jan = zoneOffsetMinutes(Date.UTC(year, 0, 1), zone);
    const jul = zoneOffsetMinutes(Date.UTC(year, 6, 1), zone);
    const base = Math.min(jan, jul);
    const minutesPart = Math.sign(base) * (Math.abs(base) % 60);
    if (offsetMinutes === jan || offsetMinutes === jul || offsetMinutes === minutesPart) return { timeZone: zone, basis: 'label' };
    return {
      timeZone: zoneForOffset(offsetMinutes),
      basis: 'offset',
      warning: `time zone '${label}' (UTC${formatOffset(base)}) disagrees with the stored offset UTC${formatOffset(offsetMinutes)}; the offset was used`,
    };
  }
  return {
    timeZone: zoneForOffset(offsetMinutes),
    basis: 'offset',
    warning: `time zone '${label}' is not a known zone; the stored offset UTC${formatOffset(offsetMinutes)} was used`,
  };
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Converts an event's local start/end as the resolved zone says. */
export function eventWindowUtc(startLocal: string, endLocal: string, offsetMinutes: number, zone: ResolvedZone): { startsAt: Date; endsAt: Date } {
  if (zone.basis === 'label') return { startsAt: wallTimeInZoneToUtc(startLocal, zone.timeZone), endsAt: wallTimeInZoneToUtc(endLocal, zone.timeZone) };
  return { startsAt: wallTimeAtOffsetToUtc(startLocal, offsetMinutes), endsAt: wallTimeAtOffsetToUtc(endLocal, offsetMinutes) };
}

/** A stable digest of what was imported from a source row: a changed digest means the row changed. */
export function fingerprint(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}
