// Where tensors' values live. V8 keeps a Float64Array of up to 8 elements inside its heap
// (about 15 ns to make), but gives a longer one its own storage outside (about 200 ns, more
// than a small op's whole work). So buffers of 9 to 512 elements are carved out of shared
// 64 KiB blocks instead (a view into an existing ArrayBuffer costs about 15 ns); a block is
// freed by the garbage collector once no tensor uses any part of it. Every buffer starts at 0.
//
// The one visible difference: such a tensor's `data.buffer` is the shared block, so use
// `data.slice()` (not `data.buffer`) to hand the values to a worker or keep a copy.

const ON_HEAP = 8;
const SHARED_UP_TO = 512;
const BLOCK_BYTES = 1 << 16;

let block = new ArrayBuffer(BLOCK_BYTES);
let used = 0;

/** A zero-filled buffer of n values. */
export function allocate(n: number): Float64Array {
  if (n <= ON_HEAP || n > SHARED_UP_TO) return new Float64Array(n);
  const bytes = n * 8;
  if (used + bytes > BLOCK_BYTES) {
    block = new ArrayBuffer(BLOCK_BYTES);
    used = 0;
  }
  const view = new Float64Array(block, used, n);
  used += bytes;
  return view;
}

/** A copy of `data` in a buffer from `allocate`. */
export function copyOf(data: Float64Array): Float64Array {
  const out = allocate(data.length);
  if (data.length > 64) out.set(data);
  else for (let i = 0; i < data.length; i++) out[i] = data[i];
  return out;
}
