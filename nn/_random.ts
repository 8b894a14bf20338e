// Internal: a small seeded PRNG (mulberry32), so weights, datasets and
// gradcheck samples are the same on every run and every runtime.

/** A seeded generator of uniform numbers; same seed, same sequence. */
export class Random {
  /** The generator's 32-bit state. */
  state: number;

  /** Starts a sequence from an integer seed (only its low 32 bits are used). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A uniform number in [0, 1) with 32 random bits. */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** A uniform number in [low, high). */
  uniform(low: number, high: number): number {
    return low + (high - low) * this.next();
  }

  /** A standard normal number (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(); // in (0, 1], so log(u) is finite
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
}
