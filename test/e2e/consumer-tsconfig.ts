// The tsconfig of a user's TypeScript project, as the tests that type-check against edgekeeper's
// published types (the SDK's declarations, types generated from the OpenAPI document) write it.

export function consumerTsconfig(files: string[], options: Record<string, unknown> = {}): string {
  return JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      strict: true,
      noEmit: true,
      lib: ["ES2022", "DOM"],
      types: [],
      ...options,
    },
    files,
  });
}
