// `deno task bench`: the chain shape, forward and backward, engine vs floor.
import { chain } from "./_shapes.ts";
import { benchShape } from "./_suite.ts";

benchShape(chain);
