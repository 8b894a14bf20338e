// `deno task bench`: the sum shape, forward and backward, engine vs floor.
import { wideSum } from "./_shapes.ts";
import { benchShape } from "./_suite.ts";

benchShape(wideSum);
