// The CSV loader of the examples: csv-parse does the quoting and line
// endings, datasetFromRows (datasets.ts) checks the shape and the numbers.
// Reading the file (regular files only, with a size cap) is _outputs.ts's
// readInput.
//
// Kept apart from datasets.ts because the npm: import only resolves in Deno.

import { parse } from "csv-parse/sync";
import { type Dataset, datasetFromRows } from "./datasets.ts";

/**
 * Parses CSV text into a dataset: numeric feature columns, the label in the
 * last column, an optional header row, blank lines skipped.
 *
 * @param text The CSV text.
 * @param name The file name, for the dataset and the error messages.
 * @returns The dataset.
 * @throws {RangeError} If the text is not valid CSV or does not hold a
 *   dataset (see `datasetFromRows`).
 */
export function parseCsvDataset(text: string, name: string): Dataset {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      skip_empty_lines: true,
      relax_column_count: true,
      trim: true,
      bom: true,
      info: true,
    });
  } catch (error) {
    // csv-parse messages look like "Quote Not Closed: the parsing is finished
    // with an opening quote at line 3"; keep only the first line of them.
    const message = error instanceof Error ? error.message : String(error);
    throw new RangeError(
      `Cannot load CSV "${name}": not valid CSV: ${message.split("\n")[0]}`,
    );
  }
  const rows = records.map((r) => r.record);
  const lines = records.map((r) => r.info.lines);
  return datasetFromRows(rows, name, lines);
}
