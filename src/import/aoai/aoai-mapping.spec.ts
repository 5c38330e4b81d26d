import {
  eventWindowUtc,
  mapModelType,
  parseMetricResource,
  resolveEventZone,
  usageRoute,
  wallTimeInZoneToUtc,
  zoneForOffset,
} from './aoai-mapping';

function window(label: string, offset: number, start: string, end: string) {
  const zone = resolveEventZone(label, offset, start);
  const w = eventWindowUtc(start, end, offset, zone);
  return { zone, startsAt: w.startsAt.toISOString(), endsAt: w.endsAt.toISOString() };
}

describe('Azure AI Proxy mapping', () => {
  it('maps every model type of the original to a class of ours', () => {
    expect(
      Object.fromEntries(
        ['openai-chat', 'openai-embedding', 'openai-dalle2', 'openai-dalle3', 'openai-whisper', 'openai-completion', 'openai-instruct', 'azure-ai-search', 'openai-assistant'].map(
          (t) => [t, mapModelType(t)],
        ),
      ),
    ).toEqual({
      'openai-chat': { ok: true, modelClass: 'openai-chat' },
      'openai-embedding': { ok: true, modelClass: 'openai-embeddings' },
      'openai-dalle2': { ok: true, modelClass: 'openai-dall-e-2' },
      'openai-dalle3': { ok: true, modelClass: 'openai-dall-e-3' },
      'openai-whisper': { ok: true, modelClass: 'openai-audio-transcription' },
      'openai-completion': { ok: true, modelClass: 'openai-completions' },
      'openai-instruct': { ok: true, modelClass: 'openai-completions' },
      'azure-ai-search': { ok: true, modelClass: 'azure-ai-search' },
      'openai-assistant': { ok: true, modelClass: 'openai-assistant' },
    });
  });

  it('refuses an unknown type, and a class this build does not have, with a reason', () => {
    expect(mapModelType('openai-sora')).toEqual({ ok: false, reason: "model type 'openai-sora' has no counterpart here" });
    expect(mapModelType('openai-assistant', ['openai-chat'])).toEqual({ ok: false, reason: "model class 'openai-assistant' is not supported by this version" });
  });

  it('splits a metric resource into model type and deployment, and names its route', () => {
    expect(parseMetricResource('openai-chat | gpt-4o-mini')).toEqual({ modelType: 'openai-chat', deployment: 'gpt-4o-mini' });
    expect(parseMetricResource('legacy')).toEqual({ modelType: '', deployment: 'legacy' });
    expect(usageRoute('openai-embedding')).toBe('aoai-import:embeddings');
  });

  it('uses an IANA label with DST, where the original applied its base offset all year', () => {
    // The UK moves to BST on 29 March 2026: 09:00 local is 09:00Z before and 08:00Z after.
    expect(window('Europe/London', 0, '2026-03-28T09:00:00.000000', '2026-03-30T17:00:00.000000')).toEqual({
      zone: { timeZone: 'Europe/London', basis: 'label' },
      startsAt: '2026-03-28T09:00:00.000Z',
      endsAt: '2026-03-30T16:00:00.000Z',
    });
    expect(window('America/New_York', -300, '2026-07-01T09:00:00', '2026-07-01T17:30:00').endsAt).toBe('2026-07-01T21:30:00.000Z');
  });

  it('maps Windows time-zone ids to IANA zones', () => {
    expect(window('W. Europe Standard Time', 60, '2026-01-10T10:00:00', '2026-01-10T18:00:00')).toMatchObject({
      zone: { timeZone: 'Europe/Berlin', basis: 'label' },
      startsAt: '2026-01-10T09:00:00.000Z',
    });
    // Southern summer: Sydney is UTC+11 in January though its base offset is +10.
    expect(window('AUS Eastern Standard Time', 600, '2026-01-15T09:00:00', '2026-01-15T17:00:00')).toMatchObject({
      zone: { timeZone: 'Australia/Sydney', basis: 'label' },
      startsAt: '2026-01-14T22:00:00.000Z',
    });
  });

  it("accepts the minutes-only offset the original's create form stored", () => {
    expect(window('India Standard Time', 30, '2026-02-01T10:00:00', '2026-02-01T12:00:00')).toMatchObject({
      zone: { timeZone: 'Asia/Calcutta', basis: 'label' },
      startsAt: '2026-02-01T04:30:00.000Z',
    });
  });

  it('falls back to the offset when the label is unknown or disagrees, and says so', () => {
    const unknown = window('(UTC-05:00) Somewhere', -300, '2026-05-01T09:00:00', '2026-05-01T10:00:00');
    expect(unknown).toMatchObject({ zone: { timeZone: 'Etc/GMT+5', basis: 'offset' }, startsAt: '2026-05-01T14:00:00.000Z' });
    expect(unknown.zone.warning).toBe("time zone '(UTC-05:00) Somewhere' is not a known zone; the stored offset UTC-05:00 was used");
    const disagree = window('Asia/Tokyo', 60, '2026-05-01T09:00:00', '2026-05-01T10:00:00');
    expect(disagree).toMatchObject({ zone: { timeZone: 'Etc/GMT-1', basis: 'offset' }, startsAt: '2026-05-01T08:00:00.000Z' });
    expect(disagree.zone.warning).toContain("time zone 'Asia/Tokyo' (UTC+09:00) disagrees with the stored offset UTC+01:00");
  });

  it('names a fixed offset as Etc/GMT (inverted sign), or UTC when no whole-hour zone fits', () => {
    expect([0, 60, -300, 330, 14 * 60, -12 * 60].map(zoneForOffset)).toEqual(['UTC', 'Etc/GMT-1', 'Etc/GMT+5', 'UTC', 'Etc/GMT-14', 'Etc/GMT+12']);
  });

  it('places a wall time skipped by spring-forward after the gap, and an ambiguous one at its first occurrence', () => {
    expect(wallTimeInZoneToUtc('2026-03-29T01:30:00', 'Europe/London').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(wallTimeInZoneToUtc('2026-10-25T01:30:00', 'Europe/London').toISOString()).toBe('2026-10-25T00:30:00.000Z');
  });
});
