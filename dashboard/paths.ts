// Znode paths as the dashboard moves between them, and the links to the tree view.

export function childPath(parent: string, name: string): string {
  return parent === "/" ? `/${name}` : `${parent}/${name}`;
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export function treeHref(path: string): string {
  return `#/tree${path === "/" ? "" : path.split("/").map(encodeURIComponent).join("/")}`;
}
