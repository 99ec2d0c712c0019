// Whether this tab is being looked at. The views that poll or stream on their own (ensemble,
// tree, sessions) pause while it is hidden: each of their calls keeps members awake, and awake
// members are billed (docs/cost.md); the live-events pane, started by hand, keeps running.

import { useEffect, useState } from "preact/hooks";

export function usePageVisible(): boolean {
  const [visible, setVisible] = useState(document.visibilityState !== "hidden");
  useEffect(() => {
    const on = () => setVisible(document.visibilityState !== "hidden");
    document.addEventListener("visibilitychange", on);
    return () => document.removeEventListener("visibilitychange", on);
  }, []);
  return visible;
}
