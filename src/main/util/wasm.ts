/**
 * The few WebAssembly JS-API members the project's hand-written modules use (the node typings
 * declare the namespace only in part), and their compilation from the committed base64.
 */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer | ArrayBuffer;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
export const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** A compiled module from its base64 text, compiled once (a lazy getter). */
export function lazyModule(base64: string): () => object {
  let compiled: object | null = null;
  return () => (compiled ??= new WA.Module(Buffer.from(base64, 'base64')));
}

/** An instance of `module` over `memory` (imported as env.memory). */
export function instantiate<T>(module: object, memory: unknown): T {
  return new WA.Instance(module, { env: { memory } }).exports as T;
}
