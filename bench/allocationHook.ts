// Calls a function right after every large typed-array allocation, for the exact live peak
// (bench/livePeak.ts): live memory only rises when something is allocated, so reading it after
// each large allocation (and at the phase checkpoints) finds its maximum, up to what small
// allocations add in between.
//
// How: while installed, the global Float64Array / Float32Array / Uint8Array / ArrayBuffer are
// Proxies of the real constructors whose construct trap reports every array that owns a fresh
// buffer. A Proxy rather than a subclass: the arrays made are the real classes, so `instanceof`
// (src/claim/runScenario.ts keeps a Float32Array read-back as is, and copies anything else to
// float64), `.constructor` and species behave exactly as without the hook. `Float64Array.from(…)`
// goes through the trap (it constructs `this`). Methods that allocate through the species
// constructor (`slice`, `map`, `filter`) reach the real constructor, not the Proxy, so they are
// wrapped on each prototype; this also catches tfjs-wasm's read-back `HEAPU8.slice(…)` (HEAPU8
// was made long before the hook). Views (`new Float32Array(buffer)`, `subarray`) own no new
// memory and are not reported.

/** Smallest allocation reported: below it, checking costs more than the allocation can matter. */
export const LARGE_BYTES = 64 * 1024;

type Reporter = (bytes: number, what: string) => void;

const CLASSES = ['Float64Array', 'Float32Array', 'Uint8Array'] as const;
const ALLOCATING_METHODS = ['slice', 'map', 'filter'] as const;

/**
 * Installs the hook; returns the function that removes it (call it in a `finally`). `report` is
 * called with the array still referenced by the allocating code, so it is counted as live.
 */
export function hookLargeAllocations(report: Reporter): () => void {
  const g = globalThis as unknown as Record<string, unknown>;
  const savedGlobals = new Map<string, unknown>();
  const savedMethods: { proto: object; name: string; had: boolean; value: unknown }[] = [];
  let reporting = false; // report() itself may allocate (a stack trace); never re-enter it
  const seen = (bytes: number, what: string) => {
    if (reporting || bytes < LARGE_BYTES) return;
    reporting = true;
    try {
      report(bytes, what);
    } finally {
      reporting = false;
    }
  };
  const restore = () => {
    for (const [name, value] of savedGlobals) g[name] = value;
    for (const m of savedMethods.reverse()) {
      if (m.had) Object.defineProperty(m.proto, m.name, { value: m.value, writable: true, configurable: true, enumerable: false });
      else delete (m.proto as Record<string, unknown>)[m.name];
    }
  };
  try {
    for (const name of [...CLASSES, 'ArrayBuffer'] as const) {
      const Real = g[name] as new (...args: unknown[]) => ArrayBufferView | ArrayBuffer;
      savedGlobals.set(name, Real);
      g[name] = new Proxy(Real, {
        construct(target, args, newTarget) {
          // `new Proxy(...)` passes the Proxy as new.target: make the real class instead
          const made = Reflect.construct(target, args, newTarget === g[name] ? target : newTarget) as ArrayBufferView | ArrayBuffer;
          // a first argument that is a buffer makes a view: no memory of its own
          const first = args[0];
          const isView = first instanceof (savedGlobals.get('ArrayBuffer') as typeof ArrayBuffer) || (typeof SharedArrayBuffer !== 'undefined' && first instanceof SharedArrayBuffer);
          if (!isView) seen(made.byteLength, `new ${name}`);
          return made;
        },
      });
    }
    for (const name of CLASSES) {
      const proto = (savedGlobals.get(name) as { prototype: Record<string, unknown> }).prototype;
      for (const method of ALLOCATING_METHODS) {
        const had = Object.prototype.hasOwnProperty.call(proto, method);
        const real = proto[method] as (this: ArrayBufferView, ...a: unknown[]) => ArrayBufferView;
        savedMethods.push({ proto, name: method, had, value: proto[method] });
        Object.defineProperty(proto, method, {
          value: function (this: ArrayBufferView, ...a: unknown[]) {
            const made = real.apply(this, a);
            seen(made.byteLength, `${name}.${method}`);
            return made;
          },
          writable: true,
          configurable: true,
          enumerable: false,
        });
      }
    }
  } catch (e) {
    restore();
    throw e;
  }
  return restore;
}
