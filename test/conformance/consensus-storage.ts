// The conformance suite every implementation of the consensus storage interfaces must pass: the
// in-memory twins here, the Durable Object's SQLite storage inside workerd.

import { describe, expect, it } from "vitest";
import type { Entry, HardState, Snapshot } from "../../src/core/consensus/entry.ts";
import { decodeMembership, encodeMembership } from "../../src/core/consensus/membership.ts";
import type { HardStateStorage, LogStorage } from "../../src/core/consensus/storage.ts";

function entry(index: number, term: number, text = `e${index}`): Entry {
  return { index, term, kind: "normal", data: new TextEncoder().encode(text) };
}

function entries(from: number, to: number, term: number): Entry[] {
  return Array.from({ length: to - from + 1 }, (_, i) => entry(from + i, term));
}

function snapshot(index: number, term: number, text = "state"): Snapshot {
  return { meta: { index, term, voters: [0, 1, 2] }, data: new TextEncoder().encode(text) };
}

const decode = (e: Entry | undefined) =>
  e ? `${e.index}/${e.term}/${new TextDecoder().decode(e.data)}` : "none";

/**
 * Runs one test body against a fresh store. Durable Object storage can only be touched from
 * inside its object, so the SQLite runner executes the whole body there.
 */
export type StoreRunner<S> = (body: (store: S) => void | Promise<void>) => Promise<void>;

export function logStorageConformance(name: string, use: StoreRunner<LogStorage>): void {
  describe(`${name} (LogStorage conformance)`, () => {
    it("starts empty with the zero snapshot", () =>
      use(async (s) => {
        expect(s.firstIndex()).toBe(1);
        expect(s.lastIndex()).toBe(0);
        expect(s.term(0)).toBe(0);
        expect(s.term(1)).toBeUndefined();
        expect(s.entries(1, 1)).toEqual([]);
        expect(s.snapshot().meta).toMatchObject({ index: 0, term: 0 });
      }));

    it("appends and reads back entries with their bytes, kinds and terms", () =>
      use(async (s) => {
        const noop: Entry = { index: 1, term: 1, kind: "noop", data: new Uint8Array() };
        const binary: Entry = {
          index: 2,
          term: 1,
          kind: "normal",
          data: new Uint8Array([0, 255, 7]),
        };
        s.append([noop, binary, entry(3, 2)]);
        expect(s.lastIndex()).toBe(3);
        expect(s.term(2)).toBe(1);
        expect(s.term(3)).toBe(2);
        const read = s.entries(1, 4);
        expect(read.map((e) => [e.index, e.term, e.kind])).toEqual([
          [1, 1, "noop"],
          [2, 1, "normal"],
          [3, 2, "normal"],
        ]);
        expect([...(read[1]?.data ?? [])]).toEqual([0, 255, 7]);
        expect(s.entries(3, 4).map(decode)).toEqual(["3/2/e3"]);
      }));

    it("truncates a conflicting suffix when appending over it", () =>
      use(async (s) => {
        s.append(entries(1, 5, 1));
        s.append([entry(3, 2, "new3"), entry(4, 2, "new4")]);
        expect(s.lastIndex()).toBe(4);
        expect(s.entries(1, 5).map(decode)).toEqual(["1/1/e1", "2/1/e2", "3/2/new3", "4/2/new4"]);
        expect(s.term(5)).toBeUndefined();
      }));

    it("appends a long run in one call (more rows than one SQL statement binds)", () =>
      use(async (s) => {
        s.append(entries(1, 700, 3));
        expect(s.lastIndex()).toBe(700);
        expect(s.entries(650, 701).length).toBe(51);
        expect(decode(s.entries(700, 701)[0])).toBe("700/3/e700");
      }));

    it("refuses an append that would leave a gap", () =>
      use(async (s) => {
        s.append(entries(1, 2, 1));
        expect(() => s.append([entry(4, 1)])).toThrow();
        expect(s.lastIndex()).toBe(2);
      }));

    it("compacts through a held index, keeping the snapshot and the entries after it", () =>
      use(async (s) => {
        s.append(entries(1, 10, 2));
        s.compact(snapshot(6, 2, "at6"));
        expect(s.firstIndex()).toBe(7);
        expect(s.lastIndex()).toBe(10);
        expect(s.term(6)).toBe(2);
        expect(s.term(5)).toBeUndefined();
        expect(s.entries(7, 11).map((e) => e.index)).toEqual([7, 8, 9, 10]);
        expect(new TextDecoder().decode(s.snapshot().data)).toBe("at6");
        expect(() => s.entries(5, 8)).toThrow();
        s.append([entry(11, 3)]);
        expect(s.lastIndex()).toBe(11);
      }));

    it("compacts the whole log", () =>
      use(async (s) => {
        s.append(entries(1, 4, 1));
        s.compact(snapshot(4, 1));
        expect(s.firstIndex()).toBe(5);
        expect(s.lastIndex()).toBe(4);
        expect(s.term(4)).toBe(1);
        expect(s.entries(5, 5)).toEqual([]);
      }));

    it("refuses to compact past the last index or with the wrong term", () =>
      use(async (s) => {
        s.append(entries(1, 4, 1));
        expect(() => s.compact(snapshot(5, 1))).toThrow();
        expect(() => s.compact(snapshot(3, 9))).toThrow();
        expect(s.firstIndex()).toBe(1);
      }));

    it("lists the configuration entries it holds, through truncation, compaction and a snapshot", () =>
      use(async (s) => {
        const config = (index: number, term: number, voters: number[]): Entry => ({
          index,
          term,
          kind: "config",
          data: encodeMembership({ voters, learners: [] }),
        });
        s.append([entry(1, 1), config(2, 1, [0, 1, 2, 3]), entry(3, 1), config(4, 1, [0, 1, 2])]);
        const listed = () =>
          s.configEntries().map((e) => [e.index, e.kind, decodeMembership(e.data).voters]);
        expect(listed()).toEqual([
          [2, "config", [0, 1, 2, 3]],
          [4, "config", [0, 1, 2]],
        ]);
        expect(s.entries(2, 3)[0]?.kind).toBe("config");
        s.append([entry(4, 2)]); // a new leader overwrites the second change
        expect(listed()).toEqual([[2, "config", [0, 1, 2, 3]]]);
        s.compact({ meta: { index: 3, term: 1, voters: [0, 1, 2, 3] }, data: new Uint8Array() });
        expect(listed()).toEqual([]);
        expect(s.snapshot().meta.voters).toEqual([0, 1, 2, 3]);
        s.installSnapshot({
          meta: { index: 9, term: 3, voters: [1, 2, 3], learners: [4] },
          data: new Uint8Array(),
        });
        expect(s.snapshot().meta).toMatchObject({ voters: [1, 2, 3], learners: [4] });
        expect(listed()).toEqual([]);
      }));

    it("installs a leader's snapshot over the whole log", () =>
      use(async (s) => {
        s.append(entries(1, 5, 1));
        s.installSnapshot(snapshot(20, 4, "leader"));
        expect(s.firstIndex()).toBe(21);
        expect(s.lastIndex()).toBe(20);
        expect(s.term(20)).toBe(4);
        expect(s.term(3)).toBeUndefined();
        expect(new TextDecoder().decode(s.snapshot().data)).toBe("leader");
        s.append([entry(21, 4)]);
        expect(s.lastIndex()).toBe(21);
      }));
  });
}

export function hardStateStorageConformance(
  name: string,
  use: StoreRunner<HardStateStorage>,
): void {
  describe(`${name} (HardStateStorage conformance)`, () => {
    it("starts at term 0 with no vote", () =>
      use(async (s) => {
        expect(s.load()).toEqual({
          term: 0,
          vote: null,
          commit: 0,
          voteFloor: 0,
          incarnation: 0,
          lead: null,
        });
      }));

    it("keeps the last state saved, every field exactly", () =>
      use(async (s) => {
        const state: HardState = {
          term: 7,
          vote: 2,
          commit: 41,
          voteFloor: Number.MAX_SAFE_INTEGER,
          incarnation: 123456789,
          lead: 1,
        };
        s.save({ term: 1, vote: 0, commit: 1, voteFloor: 0, incarnation: 5, lead: 0 });
        s.save(state);
        expect(s.load()).toEqual(state);
        s.save({ ...state, vote: null, lead: null });
        expect(s.load().vote).toBeNull();
        expect(s.load().lead).toBeNull();
      }));
  });
}
