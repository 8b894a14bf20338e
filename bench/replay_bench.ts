// `deno task bench`: compile()'s replay, typed arrays and generated code,
// against the floor replaying its own recorded tape: the moons training step
// (forward + backward + SGD on a graph recorded once) and a 1e4-node chain.
import { compile } from "../engine/mod.ts";
import {
  EngineMoons,
  FloorReplayMoons,
  makeMoons,
  ReplayMoons,
} from "./_moons.ts";
import { chain } from "./_shapes.ts";

const data = makeMoons(100);
const floorReplay = new FloorReplayMoons(data, new EngineMoons(data).params);
const tape = new ReplayMoons(new EngineMoons(data), false);
const codegen = new ReplayMoons(new EngineMoons(data), true);
// Generated code is optimized after some hundreds of calls.
for (let r = 0; r < 1000; r++) codegen.step();

const moons = "moons step replayed (forward + backward + SGD)";
Deno.bench({
  name: "floor replay",
  group: moons,
  baseline: true,
  fn(): void {
    floorReplay.step();
  },
});
Deno.bench({
  name: "compile(loss)",
  group: moons,
  fn(): void {
    tape.step();
  },
});
Deno.bench({
  name: "compile(loss, { codegen: true })",
  group: moons,
  fn(): void {
    codegen.step();
  },
});

const input = chain.input(1e4);
const floorChain = chain.floor(input);
const root = chain.engine(input);
const chainTape = compile(root);
const chainCodegen = compile(root, { codegen: true });
for (let r = 0; r < 1000; r++) {
  chainCodegen.forward();
  chainCodegen.backward();
}
const group = `chain, ${input.nodes} nodes, replayed (forward + backward)`;
Deno.bench({
  name: "floor replay",
  group,
  baseline: true,
  fn(): void {
    floorChain.tape.forward();
    floorChain.tape.backward(floorChain.root);
  },
});
Deno.bench({
  name: "compile(root)",
  group,
  fn(): void {
    chainTape.forward();
    chainTape.backward();
  },
});
Deno.bench({
  name: "compile(root, { codegen: true })",
  group,
  fn(): void {
    chainCodegen.forward();
    chainCodegen.backward();
  },
});
