// WebSocket close codes a member sends that a client acts on.

/** Moved to another member for balance: resume the session through the service's placement. */
export const movedCloseCode = 4010;
