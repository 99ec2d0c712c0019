// A call that gives up after a while: what `late` answers (or throws) once `ms` have passed
// without an answer, and the timer cleared either way.

export async function within<T>(answer: Promise<T>, ms: number, late: () => T): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(late());
      } catch (error) {
        reject(error);
      }
    }, ms);
  });
  try {
    return await Promise.race([answer, expired]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
