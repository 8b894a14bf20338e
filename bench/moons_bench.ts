// `deno task bench`: the moons training step of micrograd's demo,
// MLP(2, [16, 16, 1]) on 100 points with hinge loss + L2, through the
// project's MLP, hingeLoss and SGD, against the floor doing the same step.
// Forward (graph build) and backward + SGD update are also timed apart.
import { EngineMoons, FloorMoons, makeMoons, WARM_UP_STEPS } from "./_moons.ts";

const data = makeMoons(100);
const engine = new EngineMoons(data);
const floor = new FloorMoons(data, engine.params);
// Warm both sides up here (see WARM_UP_STEPS): Deno 2.9.6 ignores
// Deno.bench's `warmup` option (Deno.bench() overwrites it with its own
// flag), so a bench gets 10 ms of warm-up calls, a few steps, and the timed
// steps would be a fresh process's first ones.
for (let i = 0; i < WARM_UP_STEPS; i++) {
  floor.step();
  engine.step();
}

Deno.bench({
  name: "floor",
  group: "moons step (forward + backward + SGD)",
  baseline: true,
  fn(): void {
    floor.step();
  },
});
Deno.bench({
  name: "engine",
  group: "moons step (forward + backward + SGD)",
  fn(): void {
    engine.step();
  },
});
Deno.bench({
  name: "engine forward",
  group: "moons step, engine parts",
  fn(b: Deno.BenchContext): void {
    b.start();
    engine.forward();
    b.end();
  },
});
Deno.bench({
  name: "engine backward + SGD",
  group: "moons step, engine parts",
  fn(b: Deno.BenchContext): void {
    const loss = engine.forward();
    b.start();
    engine.update(loss);
    b.end();
  },
});
