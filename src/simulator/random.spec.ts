import { SeededRandom } from './random';

describe(SeededRandom.name, () => {
  it('repeats its sequence for the same seed', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);

    expect([a.next(), a.next(), a.uuid()]).toEqual([b.next(), b.next(), b.uuid()]);
  });

  it('stays within range and formats v4 uuids', () => {
    const sut = new SeededRandom(1);

    for (let i = 0; i < 100; i += 1) expect(sut.int(5)).toBeLessThan(5);
    expect(sut.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
