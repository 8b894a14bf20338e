// `deno task train`: trains an MLP classifier on a toy dataset or a CSV file,
// as in micrograd's demo.ipynb, with live progress, the decision boundary in
// the terminal and, on request, an SVG picture, a CSV log and a model file.
//
//   deno task train                        # micrograd's demo: moons, >= 97%
//   deno task train --dataset spiral --samples 300 --optimizer adam --steps 200 --batch-size 64
//   deno task train --optimizer lbfgs      # L-BFGS, full batch
//   deno task train --engine object        # build the graph every step, not
//                                          # replay a tape: compare steps/s
//   deno task train --help                 # every flag
//
// examples/moons.svg, the picture in the README, is the default run's plot:
//   deno task train --plot examples/moons.svg
//
// Bad input (unknown flag, bad number, bad CSV, a model that does not fit
// the data) prints one line saying what was wrong and exits with code 2.
//
// The parts: _train_options.ts (flags and limits), _train_data.ts (dataset
// and model files), _train_loop.ts (the loop and its engines, its checks,
// the progress line), _outputs.ts (paths, input and output file safety, atomic writes).

import { stringify } from "csv-stringify/sync";
import asciichart from "asciichart";
import {
  Adam,
  AdamW,
  cosineLR,
  LBFGS,
  linearLR,
  SGD,
  stepLR,
} from "@micrograd/micrograd/optim";
import { GENERATORS } from "./datasets.ts";
import {
  boundsOf,
  renderSvg,
  renderTerminal,
  sampleGrid,
  terminalLegend,
} from "./_plot.ts";
import { escapeControl, runMain, UsageError } from "./_cli.ts";
import {
  commitOutput,
  discardOutputs,
  type Output,
  prepareOutputs,
} from "./_outputs.ts";
import { HELP, parseOptions } from "./_train_options.ts";
import {
  batchOf,
  buildModel,
  datasetFile,
  loadData,
  type LoadedModel,
  loadModel,
  metaOf,
} from "./_train_data.ts";
import {
  accuracyOf,
  classOf,
  duration,
  type LogRow,
  percent,
  Progress,
  replayable,
  terminalWidth,
  trainLoop,
} from "./_train_loop.ts";

async function main(args: string[]): Promise<void> {
  const options = parseOptions(args);
  if (options === "help") {
    console.log(HELP);
    return;
  }
  const loaded: LoadedModel | undefined = options.load === undefined
    ? undefined
    : await loadModel(options.load);
  const meta = loaded?.meta ?? {};
  // Every output is checked, and its temporary file made, before training.
  const inputs: { flag: string; path: string }[] = [];
  const csvFile = datasetFile(options, meta);
  if (csvFile !== undefined) inputs.push({ flag: "--dataset", path: csvFile });
  if (options.load !== undefined) {
    inputs.push({ flag: "--load", path: options.load });
  }
  const wanted: { flag: string; path: string }[] = [];
  for (const flag of ["save", "csv", "plot"] as const) {
    const path = options[flag];
    if (path !== undefined) wanted.push({ flag: `--${flag}`, path });
  }
  const outputs = await prepareOutputs(wanted, inputs, [["--save", "--load"]]);
  try {
    await run(options, loaded, outputs);
  } finally {
    await discardOutputs(outputs);
  }
}

async function run(
  options: Exclude<ReturnType<typeof parseOptions>, "help">,
  loaded: LoadedModel | undefined,
  outputs: Output[],
): Promise<void> {
  const data = await loadData(options, loaded?.meta);
  const { model, loss } = buildModel(options, data, loaded);
  const params = model.parameters();
  const steps = options.steps;
  const n = data.x.length;
  const batchSize = batchOf(options, data);
  // mse's gradient 2(s - y) grows with the score: it needs smaller steps.
  const lr0 = options.lr ??
    (options.optimizer === "lbfgs"
      ? 1
      : options.optimizer !== "sgd"
      ? 0.05
      : loss === "mse"
      ? 0.1
      : 1);
  const schedule = options.schedule ?? "linear";
  const S = Math.max(1, steps);
  // linear: micrograd's demo, 1.0 - 0.9 * k / 100, a decay to a tenth.
  const lr = schedule === "linear"
    ? linearLR({ lr: lr0, steps: S, startFactor: 1, endFactor: 0.1 })
    : schedule === "cosine"
    ? cosineLR({ lr: lr0, steps: S })
    : stepLR({
      lr: lr0,
      stepSize: Math.max(1, Math.ceil(steps / 2)),
      gamma: 0.1,
    });
  if (options.optimizer === "lbfgs" && batchSize < n) {
    throw new UsageError(
      `Cannot use --optimizer lbfgs with --batch-size ${options.batchSize}: it needs the full batch (--batch-size 0), the data has ${n} points`,
    );
  }
  const optimizer = options.optimizer === "lbfgs"
    ? new LBFGS(params, { lr: lr0, lineSearchFn: "strong_wolfe", maxIter: 1 })
    : options.optimizer === "sgd"
    ? new SGD(params, { lr })
    : options.optimizer === "adam"
    ? new Adam(params, { lr })
    : new AdamW(params, { lr });
  if (
    options.engine !== undefined && options.engine !== "object" &&
    !replayable(loss)
  ) {
    throw new UsageError(
      `Cannot use --engine ${options.engine} with --loss ${loss}: its graph changes shape as the scores change (${
        loss === "bce"
          ? "a formula per sign of each score"
          : "a shift by the largest score"
      }); use --loss hinge or mse, or --engine object`,
    );
  }
  const engine = options.engine ?? (replayable(loss) ? "tape" : "object");
  const rates = options.optimizer === "lbfgs"
    ? `lbfgs lr ${lr0}, strong Wolfe line search`
    : `${options.optimizer} lr ${lr0} -> ${
      Number(lr(Math.max(0, steps - 1)).toPrecision(3))
    } (${schedule})${
      options.clip === undefined ? "" : `, clip ${options.clip}`
    }`;

  const isTerminal = Deno.stdout.isTerminal();
  const color = isTerminal && (Deno.env.get("NO_COLOR") ?? "") === "";
  const name = escapeControl(data.name);
  if (!options.quiet) {
    const nouts = model.nouts.join(", ");
    console.log(
      `${name}: ${n} points, ${
        data.x[0].length
      } features, ${data.classes} classes | MLP(${model.nin}, [${nouts}]) ${model.activation}, ${params.length} parameters`,
    );
    console.log(
      `${loss} loss + ${options.l2} L2 | ${rates} | ${steps} steps, batch ${batchSize}, ${engine}${
        options.load === undefined
          ? ""
          : ` | from ${escapeControl(options.load)}`
      }`,
    );
  }

  const log: LogRow[] = [];
  const losses: number[] = [];
  const progress = new Progress(steps, isTerminal, options.quiet);
  const start = performance.now();
  const csv = !GENERATORS.includes(data.name);
  const logged = options.csv !== undefined;
  let ran = engine;
  try {
    ({ engine: ran } = trainLoop(model, data, optimizer, {
      steps,
      batchSize,
      l2: options.l2,
      loss,
      seed: options.seed,
      lr0,
      lr,
      engine,
      clip: options.clip,
      needAccuracy: (step) => progress.due(step) || logged,
      advice: csv
        ? " or standardise the features (mean 0, standard deviation 1 per column)"
        : "",
    }, (row) => {
      log.push(row);
      losses.push(row[1]);
      progress.update(row[0], row[1], row[2], row[3]);
    }));
  } finally {
    progress.end();
  }
  const seconds = (performance.now() - start) / 1000;
  const accuracy = accuracyOf(model, data);

  const twoD = data.x[0].length === 2;
  const classify = (p: number[]): number => classOf(model.predict(p));
  if (!options.quiet) {
    if (twoD) {
      const cols = isTerminal
        ? Math.max(16, Math.min(64, terminalWidth() - 2))
        : 64;
      const rows = 24;
      // A terminal cell is about twice as tall as it is wide.
      const bounds = boundsOf(data.x, cols / 2 / rows);
      const grid = sampleGrid(bounds, cols, rows, classify);
      console.log();
      console.log(renderTerminal(grid, data.x, data.y, color));
      console.log(terminalLegend(data.labels, color));
    } else {
      console.log("\n(the decision boundary is drawn for 2 features only)");
    }
    if (losses.length >= 2) {
      console.log("\nloss");
      console.log(
        asciichart.plot(downsample(losses, 60), {
          height: 8,
          format: (x: number) => x.toFixed(3).padStart(8),
          ...(color ? { colors: [asciichart.blue] } : {}),
        }),
      );
    }
    console.log();
  }
  const right = Math.round(accuracy * n);
  console.log(
    `accuracy ${
      percent(accuracy)
    } (${right}/${n} points) after ${steps} steps in ${duration(seconds)}${
      steps > 0 ? ` (${(steps / seconds).toFixed(0)} steps/s, ${ran})` : ""
    }`,
  );

  // The model first: a failing --csv or --plot must not lose it. Each output
  // is tried; the first failure is reported after all were tried.
  const texts: Record<string, () => string> = {
    "--save": () =>
      JSON.stringify({
        ...model.toJSON(),
        meta: metaOf(options, data, loss, loaded?.meta),
      }) +
      "\n",
    "--csv": () =>
      stringify(log, {
        header: true,
        columns: ["step", "loss", "accuracy", "lr"],
      }),
    "--plot": () => {
      const grid = twoD
        ? sampleGrid(boundsOf(data.x), 120, 120, classify)
        : undefined;
      const title = `${data.name} | MLP(${model.nin}, [${
        model.nouts.join(", ")
      }]) ${model.activation} | ${loss} loss, ${options.optimizer}, ${steps} steps | accuracy ${
        percent(accuracy)
      }`;
      return renderSvg({ title, grid, x: data.x, y: data.y, losses });
    },
  };
  let failure: unknown;
  for (const flag of ["--save", "--csv", "--plot"]) {
    const output = outputs.find((o) => o.flag === flag);
    if (output === undefined) continue;
    try {
      await commitOutput(output, texts[flag]());
      if (!options.quiet) console.log(`wrote ${escapeControl(output.path)}`);
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
}

// Every k-th value, so a long curve fits the terminal; keeps the last one.
function downsample(values: readonly number[], most: number): number[] {
  if (values.length <= most) return values.slice();
  const out: number[] = [];
  for (let i = 0; i < most; i++) {
    out.push(values[Math.round(i * (values.length - 1) / (most - 1))]);
  }
  return out;
}

if (import.meta.main) await runMain(main);
