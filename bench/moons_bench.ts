// `deno task bench`: the moons training step of micrograd's demo,
// MLP(2, [16, 16, 1]) on 100 points with hinge loss + L2, through the
// project's MLP, hingeLoss and SGD, against the floor doing the same step.
// Forward (graph build) and backward + SGD update are also timed apart.
import { EngineMoons, FloorMoons, makeMoons } from "./_moons.ts";

const data = makeMoons(100);
const engine = new EngineMoons(data);
const floor = new FloorMoons(data, engine.params);

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
