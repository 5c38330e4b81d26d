/**
 * Concurrent realtime sessions per attendee, counted in this process. A slot is taken synchronously
 * when a handshake is admitted (so two simultaneous handshakes cannot both take the last one) and
 * given back when the handshake fails or the session ends.
 */
export class SessionSlots {
  private readonly held = new Map<string, number>();

  tryTake(attendeeId: string, cap: number): boolean {
    const current = this.held.get(attendeeId) ?? 0;
    if (current >= cap) return false;
    this.held.set(attendeeId, current + 1);
    return true;
  }

  release(attendeeId: string): void {
    const current = this.held.get(attendeeId) ?? 0;
    if (current <= 1) this.held.delete(attendeeId);
    else this.held.set(attendeeId, current - 1);
  }

  count(attendeeId: string): number {
    return this.held.get(attendeeId) ?? 0;
  }

  get total(): number {
    let sum = 0;
    for (const n of this.held.values()) sum += n;
    return sum;
  }
}
