// What an ensemble costs on Cloudflare, from what its members count (docs/cost.md): the pricing
// formula, and the counts measured on this machine for idle minutes and for writes.

/** Workers Paid rates for Durable Objects (marginal: free allowances and the plan fee aside). */
export const prices = {
  /** Per million requests: each RPC received, each alarm, WebSocket messages at 20 : 1. */
  requestsPerMillion: 0.15,
  /** Per million GB-s of duration, billed at 128 MB while an object runs or cannot hibernate. */
  gbSecondsPerMillion: 12.5,
  /** Per million SQLite rows written; each setAlarm() is billed as one. */
  rowsWrittenPerMillion: 1.0,
  webSocketMessagesPerRequest: 20,
  objectGb: 0.125,
} as const;

export const minutesPerMonth = 30 * 24 * 60;

/** Billed work, summed over the members, in some interval. */
export interface Work {
  /** Alarms fired. */
  readonly alarms: number;
  /** setAlarm() calls. */
  readonly alarmsBooked: number;
  /** Durable Object RPCs received (each a billed request). */
  readonly rpcs: number;
  /** WebSocket messages that reached a member (auto-answered pings do not). */
  readonly socketMessages: number;
  readonly rowsWritten: number;
  /** Object wakes: alarms plus RPC-only wakes; duration is billed per wake (see below). */
  readonly wakes: number;
}

/**
 * Billed seconds per wake, an upper bound: an idle member's handlers run for a few milliseconds
 * (an alarm, a presence query) and it is hibernatable between them, so it is billed for duration
 * only while running. 50 ms covers the awaited peer RPCs of a sweep.
 */
export const billedSecondsPerWake = 0.05;

export interface Bill {
  readonly requests: number;
  readonly rowsWritten: number;
  readonly gbSeconds: number;
  readonly dollars: number;
}

/** The monthly bill for `work` happening every `intervalMinutes`. */
export function monthly(work: Work, intervalMinutes: number): Bill {
  const times = minutesPerMonth / intervalMinutes;
  const requests =
    (work.alarms + work.rpcs + work.socketMessages / prices.webSocketMessagesPerRequest) * times;
  const rowsWritten = (work.rowsWritten + work.alarmsBooked) * times;
  const gbSeconds = work.wakes * billedSecondsPerWake * prices.objectGb * times;
  const dollars =
    (requests * prices.requestsPerMillion) / 1e6 +
    (rowsWritten * prices.rowsWrittenPerMillion) / 1e6 +
    (gbSeconds * prices.gbSecondsPerMillion) / 1e6;
  return { requests, rowsWritten, gbSeconds, dollars };
}

/**
 * Measured with `npm run cost -- --measure --minutes 3` on this machine (3 members, 60 s session
 * checks, 30 s session timeouts; the writes again on 2026-11-30 with `--cases writes`);
 * docs/cost.md has the runs. Idle cases are per minute and, with
 * sessions, do not grow with their number (one sweep and one presence question per member holding
 * sockets per minute, whatever the count); writes are per committed create, all members, until the
 * ensemble is asleep again.
 */
export const measured = {
  idleNoSessions: {
    alarms: 0,
    alarmsBooked: 0,
    rpcs: 0,
    socketMessages: 0,
    rowsWritten: 0,
    wakes: 0,
  },
  /** 10 ZooKeeper sessions through the bridge, steady state (the JSON run: 1.33 alarms). */
  idleSessions: {
    alarms: 1,
    alarmsBooked: 1,
    rpcs: 2,
    socketMessages: 0,
    rowsWritten: 0,
    wakes: 3,
  },
  /** One writer at a time: each write wakes the ensemble, which falls asleep again after. */
  writeLowLoad: {
    alarms: 0.17,
    alarmsBooked: 0.19,
    rpcs: 4.07,
    socketMessages: 1,
    rowsWritten: 11.96,
    wakes: 4.24,
  },
  /** 32 writers: batches share RPCs, transactions and ticks. */
  writeHighLoad: {
    alarms: 0.03,
    alarmsBooked: 0.03,
    rpcs: 0.74,
    socketMessages: 1,
    rowsWritten: 12.17,
    wakes: 0.77,
  },
} satisfies Record<string, Work>;

export function add(a: Work, b: Work, times = 1): Work {
  return {
    alarms: a.alarms + b.alarms * times,
    alarmsBooked: a.alarmsBooked + b.alarmsBooked * times,
    rpcs: a.rpcs + b.rpcs * times,
    socketMessages: a.socketMessages + b.socketMessages * times,
    rowsWritten: a.rowsWritten + b.rowsWritten * times,
    wakes: a.wakes + b.wakes * times,
  };
}

export const none: Work = measured.idleNoSessions;

/** Writes per second from which the high-load figure applies (batches form). */
const highLoadWritesPerSec = 50;

/** A month of `sessions` open sessions and `writesPerSec` creates, from the measured figures. */
export function estimate(sessions: number, writesPerSec: number): Bill {
  const idle = sessions > 0 ? measured.idleSessions : none;
  const write =
    writesPerSec >= highLoadWritesPerSec ? measured.writeHighLoad : measured.writeLowLoad;
  return monthly(add(idle, write, writesPerSec * 60), 1);
}
