import { SessionSlots } from './session-slots';

describe(SessionSlots.name, () => {
  it('gives each attendee up to the cap, independently of others', () => {
    const sut = new SessionSlots();

    expect([sut.tryTake('a', 2), sut.tryTake('a', 2), sut.tryTake('a', 2)]).toEqual([true, true, false]);
    expect(sut.tryTake('b', 2)).toBe(true);
    expect(sut.total).toBe(3);
  });

  it('frees a slot on release and forgets attendees with none', () => {
    const sut = new SessionSlots();
    sut.tryTake('a', 1);

    sut.release('a');

    expect(sut.count('a')).toBe(0);
    expect(sut.tryTake('a', 1)).toBe(true);
    sut.release('a');
    sut.release('a');
    expect(sut.total).toBe(0);
  });

  it('applies a lowered cap to the next attempt without touching open sessions', () => {
    const sut = new SessionSlots();
    sut.tryTake('a', 3);
    sut.tryTake('a', 3);

    expect(sut.tryTake('a', 1)).toBe(false);
    expect(sut.count('a')).toBe(2);
  });
});
