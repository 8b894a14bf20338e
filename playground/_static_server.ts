// A plain static file server for the browser tests of the static build:
// serves the files under a directory and knows nothing of the playground.
//
//   deno run --allow-net=127.0.0.1 --allow-read=DIR playground/_static_server.ts DIR
//
// Prints "http://127.0.0.1:PORT/" once listening (on a free port).

const root = Deno.args[0];
if (root === undefined) {
  console.error("Cannot serve: expected a directory argument");
  Deno.exit(2);
}
const types: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  png: "image/png",
  svg: "image/svg+xml",
  json: "application/json",
};

Deno.serve({
  hostname: "127.0.0.1",
  port: 0,
  onListen: ({ port }) => console.log(`http://127.0.0.1:${port}/`),
}, async (request) => {
  let path = decodeURIComponent(new URL(request.url).pathname);
  if (path.endsWith("/")) path += "index.html";
  if (path.split("/").includes("..")) {
    return new Response("Bad path\n", { status: 400 });
  }
  try {
    const body = await Deno.readFile(`${root}${path}`);
    const ext = path.slice(path.lastIndexOf(".") + 1);
    return new Response(body, {
      headers: { "content-type": types[ext] ?? "application/octet-stream" },
    });
  } catch {
    return new Response("Not found\n", { status: 404 });
  }
});
