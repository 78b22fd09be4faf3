/**
 * A base class whose instances are functions: `new Sub(...)` returns a function that calls
 * `this.run(...args)`, with `Sub.prototype` as its prototype, so methods, fields and `instanceof`
 * work as on any object (as transformers.js's pipelines: `await generator(input, options)`).
 *
 * Subclasses declare the call signature by merging an interface of the same name, and must not
 * define fields named `name` or `length` (a function's own read-only properties).
 */
export abstract class Callable<Args extends unknown[], Result> {
  constructor() {
    const self = (...args: Args): Result => (self as unknown as Callable<Args, Result>).run(...args);
    // biome-ignore lint/correctness/noConstructorReturn: the instance is the function itself.
    return Object.setPrototypeOf(self, new.target.prototype);
  }

  /** What calling the instance does. */
  abstract run(...args: Args): Result;
}
