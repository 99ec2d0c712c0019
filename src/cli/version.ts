// The CLI's and SDK's version, printed by `edgekeeper --version`; a test keeps it equal to the
// packages' manifests.

export const version = "0.1.0";
