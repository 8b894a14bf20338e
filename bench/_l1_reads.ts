// The L1-reads probe of `bench:phases`, also sampled by `bench:scaling`:
// reads of a 16 KiB Float64Array into four independent sums, so that what
// limits them is how many loads the core does a cycle. On this project's VM
// it takes about 0.16 ns a read, and 0.22 or more in the machine's slow
// phases, in which the object engine's backward slows too (README,
// Performance).

const data = new Float64Array(2048).fill(1);
const PASSES = 32;

/** Reads made by one call of {@linkcode l1Reads}. */
export const L1_READS: number = PASSES * data.length;

/** Reads the 16 KiB `L1_READS / 2048` times over; returns the sum. */
export function l1Reads(): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let r = 0; r < PASSES; r++) {
    for (let i = 0; i < data.length; i += 4) {
      s0 += data[i];
      s1 += data[i + 1];
      s2 += data[i + 2];
      s3 += data[i + 3];
    }
  }
  return s0 + s1 + s2 + s3;
}

let warm = false;

/**
 * Nanoseconds a read: the median of `samples` timings of four calls. The
 * first call warms the probe up first: its first timing, before V8 had
 * optimized it, was 5 ns a read.
 */
export function l1ReadNs(samples = 5): number {
  if (!warm) {
    for (let j = 0; j < 100; j++) l1Reads();
    warm = true;
  }
  const times: number[] = [];
  let sum = 0;
  for (let k = 0; k < samples; k++) {
    const t0 = performance.now();
    for (let j = 0; j < 4; j++) sum += l1Reads();
    times.push((performance.now() - t0) * 1e6 / (4 * L1_READS));
  }
  if (sum !== 4 * samples * L1_READS) {
    throw new Error(`L1 reads probe: read ${sum}, expected only ones`);
  }
  times.sort((p, q) => p - q);
  return times[times.length >> 1];
}
