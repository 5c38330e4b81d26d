/**
 * The capacity planner's maths: attendees × requests per minute × tokens per request against the summed
 * TPM/RPM quotas of the event's active deployments. Pure functions, unit-tested.
 */
export interface CapacityInput {
  attendees: number;
  /** Requests one attendee sends per minute at the busiest time. */
  requestsPerMinute: number;
  /** Prompt + completion tokens of a typical request. */
  tokensPerRequest: number;
}

export interface DeploymentLimits {
  name: string;
  tokensPerMinute: number | null;
  requestsPerMinute: number | null;
  active: boolean;
}

export type Verdict = 'ok' | 'tight' | 'over' | 'unknown';

export interface Supply {
  tpm: number | null;
  rpm: number | null;
  /** Active deployments with no TPM or no RPM configured: not counted. */
  unknown: string[];
}

export interface CapacityPlan {
  demandRpm: number;
  demandTpm: number;
  supply: Supply;
  /** Demand / supply on the tighter of TPM and RPM; null when no limit is known. */
  utilisation: number | null;
  verdict: Verdict;
  /** Attendees the quotas carry at this usage; null when unknown. */
  maxAttendees: number | null;
  summary: string;
}

/** Above this share of the quota, bursts will hit 429s. */
export const TIGHT_AT = 0.8;

export function sumSupply(deployments: DeploymentLimits[]): Supply {
  const active = deployments.filter((d) => d.active);
  const tpms = active.map((d) => d.tokensPerMinute).filter((x): x is number => x !== null);
  const rpms = active.map((d) => d.requestsPerMinute).filter((x): x is number => x !== null);
  return {
    tpm: tpms.length ? tpms.reduce((a, b) => a + b, 0) : null,
    rpm: rpms.length ? rpms.reduce((a, b) => a + b, 0) : null,
    unknown: active.filter((d) => d.tokensPerMinute === null || d.requestsPerMinute === null).map((d) => d.name),
  };
}

export function verdictFor(utilisation: number | null): Verdict {
  if (utilisation === null) return 'unknown';
  if (utilisation > 1) return 'over';
  return utilisation > TIGHT_AT ? 'tight' : 'ok';
}

function ratio(demand: number, supply: number | null): number | null {
  if (supply === null) return null;
  if (supply === 0) return demand > 0 ? Infinity : 0;
  return demand / supply;
}

function tighter(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

const fmt = (n: number) => new Intl.NumberFormat('en').format(Math.round(n));

export function planCapacity(input: CapacityInput, deployments: DeploymentLimits[]): CapacityPlan {
  const attendees = Math.max(0, input.attendees);
  const rpmEach = Math.max(0, input.requestsPerMinute);
  const tokens = Math.max(0, input.tokensPerRequest);
  const demandRpm = attendees * rpmEach;
  const demandTpm = demandRpm * tokens;
  const supply = sumSupply(deployments);
  const utilisation = tighter(ratio(demandTpm, supply.tpm), ratio(demandRpm, supply.rpm));
  const verdict = verdictFor(utilisation);

  const byTpm = supply.tpm === null ? null : rpmEach * tokens > 0 ? supply.tpm / (rpmEach * tokens) : Infinity;
  const byRpm = supply.rpm === null ? null : rpmEach > 0 ? supply.rpm / rpmEach : Infinity;
  const limits = [byTpm, byRpm].filter((x): x is number => x !== null);
  const maxAttendees = limits.length ? Math.floor(Math.min(...limits)) : null;

  let summary: string;
  if (deployments.filter((d) => d.active).length === 0) summary = 'No active deployment is attached: attendees cannot call any model.';
  else if (verdict === 'unknown') summary = 'The attached deployments have no TPM/RPM set, so capacity cannot be judged. Add them on the Resources page.';
  else if (verdict === 'over') {
    const needTpm = supply.tpm !== null && demandTpm > supply.tpm ? ` ${fmt(demandTpm - supply.tpm)} more TPM` : '';
    const needRpm = supply.rpm !== null && demandRpm > supply.rpm ? ` ${fmt(demandRpm - supply.rpm)} more RPM` : '';
    summary = `Not enough: expect 429s at peak. Add${[needTpm, needRpm].filter(Boolean).join(' and')}, or plan for about ${fmt(maxAttendees ?? 0)} attendees.`;
  } else if (verdict === 'tight') summary = `Tight: peak demand is ${Math.round((utilisation ?? 0) * 100)}% of the quota; bursts will see 429s.`;
  else summary = `Enough: peak demand is ${Math.round((utilisation ?? 0) * 100)}% of the quota.`;

  return { demandRpm, demandTpm, supply, utilisation, verdict, maxAttendees, summary };
}

export interface LiveHeadroom {
  usedRpm: number;
  usedTpm: number;
  freeRpm: number | null;
  freeTpm: number | null;
  utilisation: number | null;
  verdict: Verdict;
}

/** Headroom while the event runs, from the requests and tokens of the last `minutes`. */
export function liveHeadroom(supply: Supply, observed: { requests: number; tokens: number; minutes: number }): LiveHeadroom {
  const minutes = Math.max(observed.minutes, 1 / 60);
  const usedRpm = observed.requests / minutes;
  const usedTpm = observed.tokens / minutes;
  const utilisation = tighter(ratio(usedTpm, supply.tpm), ratio(usedRpm, supply.rpm));
  return {
    usedRpm,
    usedTpm,
    freeRpm: supply.rpm === null ? null : supply.rpm - usedRpm,
    freeTpm: supply.tpm === null ? null : supply.tpm - usedTpm,
    utilisation,
    verdict: verdictFor(utilisation),
  };
}
