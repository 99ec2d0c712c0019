// One line per consensus message, for traces and transcripts.

import type { Message } from "../../src/core/consensus/message.ts";

export function describeMessage(m: Message): string {
  const head = `${m.from}->${m.to} ${m.type} term ${m.term}`;
  switch (m.type) {
    case "append":
      return `${head} prev ${m.prevIndex}/${m.prevTerm} entries [${m.entries.map((e) => `${e.index}/${e.term}`).join(" ")}] commit ${m.commit}${m.settled ? "" : " (unsettled)"}`;
    case "appendResponse":
      return `${head} ${m.reject ? `reject ${m.index} hint ${m.hintIndex}/${m.hintTerm}` : `ok ${m.index}`}`;
    case "heartbeat":
      return `${head} commit ${m.commit}`;
    case "quiesce":
      return `${head} at ${m.index}/${m.logTerm} commit ${m.commit}`;
    case "snapshot":
      return `${head} at ${m.snapshot.meta.index}/${m.snapshot.meta.term}`;
    case "preVote":
    case "vote":
      return `${head} last ${m.lastIndex}/${m.lastTerm}`;
    case "preVoteResponse":
    case "voteResponse":
      return `${head} ${m.reject ? "reject" : "grant"}`;
    default:
      return head;
  }
}
