// edgekeeper's version: `edgekeeper --version`, the admin answers and the OpenAPI document; a
// test keeps it equal to the packages' manifests.

export const version = "0.1.0";
