// `deno task bench`: the tree shape, forward and backward, engine vs floor.
import { tree } from "./_shapes.ts";
import { benchShape } from "./_suite.ts";

benchShape(tree);
