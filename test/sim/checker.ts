// Safety checkers over everything the simulator observes. Each records a violation instead of
// throwing, so a run reports the first broken property with its seed.

import type { Entry, NodeId } from "../../src/core/consensus/entry.ts";
import type { Message } from "../../src/core/consensus/message.ts";
import type { RawNode } from "../../src/core/consensus/raw-node.ts";

interface CommittedEntry {
  term: number;
  digest: number;
}

export class Checker {
  readonly violations: string[] = [];
  private readonly leaderOfTerm = new Map<number, NodeId>();
  private readonly voteOf = new Map<string, NodeId>();
  /** What every member must agree on: the term of each applied index and the digest after it. */
  private readonly committed = new Map<number, CommittedEntry>();
  maxApplied = 0;
  /** The highest commit index any member has known so far. */
  maxCommitKnown = 0;
  now = 0;

  fail(what: string): void {
    this.violations.push(`tick ${this.now}: ${what}`);
  }

  /** A member never grants two votes in one term (votes must be durable before they are sent). */
  onSend(m: Message): void {
    if (m.type !== "voteResponse" || m.reject) return;
    const key = `${m.from}:${m.term}`;
    const earlier = this.voteOf.get(key);
    if (earlier === undefined) this.voteOf.set(key, m.to);
    else if (earlier !== m.to)
      this.fail(`member ${m.from} voted for ${earlier} and ${m.to} in term ${m.term}`);
  }

  /** The term of the leader that first committed each index. */
  private readonly commitTerm: number[] = [];

  /** Election safety and leader completeness, checked the moment a member takes office. */
  onLeader(id: NodeId, term: number, node: RawNode): void {
    const other = this.leaderOfTerm.get(term);
    if (other !== undefined && other !== id)
      this.fail(`two leaders in term ${term}: ${other} and ${id}`);
    this.leaderOfTerm.set(term, id);
    const first = node.status().firstIndex;
    for (let index = Math.max(1, first - 1); index < this.commitTerm.length; index++) {
      const committedIn = this.commitTerm[index] as number;
      if (committedIn >= term) continue;
      const expected = this.committed.get(index)?.term ?? this.leaderTermAt.get(index);
      const t = node.logTerm(index);
      if (expected !== undefined && t !== expected) {
        this.fail(
          `leader ${id} of term ${term} lacks entry ${index} committed in term ${committedIn} (term ${expected}, has ${t})`,
        );
        return;
      }
    }
  }

  /** The entry terms a committing leader held, for indices no member has applied yet. */
  private readonly leaderTermAt = new Map<number, number>();

  /** A leader's commit index: the first leader to reach an index is the one that committed it. */
  onLeaderCommit(term: number, commit: number, node: RawNode): void {
    for (let i = this.commitTerm.length; i <= commit; i++) {
      this.commitTerm[i] = term;
      const t = node.logTerm(i);
      if (t !== undefined) this.leaderTermAt.set(i, t);
    }
  }

  /** Committed entries never change, and every member applies the same ones in the same order. */
  onApply(id: NodeId, e: Entry, digestAfter: number): void {
    this.record(id, e.index, e.term, digestAfter);
  }

  onSnapshotApplied(id: NodeId, index: number, term: number, digest: number): void {
    this.record(id, index, term, digest);
  }

  private record(id: NodeId, index: number, term: number, digest: number): void {
    const known = this.committed.get(index);
    if (!known) {
      this.committed.set(index, { term, digest });
      if (index > this.maxApplied) this.maxApplied = index;
      return;
    }
    if (known.term !== term || known.digest !== digest) {
      this.fail(
        `member ${id} applied index ${index} as term ${term} digest ${digest.toString(16)}; ` +
          `committed was term ${known.term} digest ${known.digest.toString(16)}`,
      );
    }
  }

  committedAt(index: number): CommittedEntry | undefined {
    return this.committed.get(index);
  }

  noteCommit(commit: number): void {
    if (commit > this.maxCommitKnown) this.maxCommitKnown = commit;
  }

  /** Log matching: two logs that agree on an entry agree on every entry before it. */
  checkLogMatching(nodes: ReadonlyArray<{ id: NodeId; node: RawNode }>): void {
    for (let a = 0; a < nodes.length; a++) {
      for (let b = a + 1; b < nodes.length; b++) {
        const x = nodes[a] as { id: NodeId; node: RawNode };
        const y = nodes[b] as { id: NodeId; node: RawNode };
        const sx = x.node.status();
        const sy = y.node.status();
        const lo = Math.max(sx.firstIndex, sy.firstIndex);
        let agreed = false;
        for (let i = Math.min(sx.lastIndex, sy.lastIndex); i >= lo; i--) {
          const tx = x.node.logTerm(i);
          const ty = y.node.logTerm(i);
          if (tx === ty) agreed = true;
          else if (agreed) {
            this.fail(
              `logs of ${x.id} and ${y.id} agree above ${i} but differ at ${i} (${tx} vs ${ty})`,
            );
            return;
          }
        }
      }
    }
  }
}
