// The principal a service binding stands for, attached to the env object the binding entry point
// hands the router. A WeakMap keyed by that object: nothing a request carries can put an entry
// here, so only the entry point can speak for a binding.

import type { Principal } from "../access/gatekeeper.ts";

export const boundPrincipals = new WeakMap<object, Principal>();
