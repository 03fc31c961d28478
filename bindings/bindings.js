#!/usr/bin/env node
// bindings.js: the Go bindings of the Terraform providers the stacks use,
// generated from the providers' own schemas.
//
//   node bindings/bindings.js generate OUTDIR
//       Offline (make setup): turns every bindings/<provider>.schema.json
//       into one Go module in OUTDIR (github.com/my-mimisbrunnr/perpetual-infra/.gen/providers),
//       with the cdktf provider generator (@cdktf/provider-generator, what
//       `cdktf get` runs), jsii and jsii-pacmak.
//
//   node bindings/bindings.js available
//       Exits 0 when Terraform can install every provider at the version its
//       schema file holds (registry, or TF_CLI_CONFIG_FILE's mirror), 1 with
//       Terraform's error otherwise: whether make validate, make tftest and
//       make ktest can run here.
//
//   node bindings/bindings.js refresh PROVIDER [--version V] [--add TYPE]... [--remove TYPE]...
//       Rewrites bindings/<PROVIDER>.schema.json from `terraform providers
//       schema -json` of that provider at version V (default: the version it
//       holds), kept to the resource and data source types it holds, plus the
//       --add and minus the --remove ones (a data source is data.<type>).
//       Terraform finds the provider in the registry, or in the filesystem
//       mirror that TF_CLI_CONFIG_FILE names.
//
// A schema file is the output of `terraform providers schema -json` for one
// provider, trimmed to the types in use, with "provider_versions" (which the
// generator writes into the bindings, and so into each stack's
// required_providers). It is the one place where a provider's version and
// the kept types are written down.
"use strict";

const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");

const root = path.resolve(__dirname, "..");
const dir = __dirname;
const modulePath = "github.com/my-mimisbrunnr/perpetual-infra/.gen";
const packageName = "providers";
const suffix = ".schema.json";

function fail(msg) {
  console.error(`bindings.js: ${msg}`);
  process.exit(1);
}

// schemaFiles lists the providers' schema files, by name.
function schemaFiles() {
  return fs.readdirSync(dir).filter((f) => f.endsWith(suffix)).sort().map((f) => path.join(dir, f));
}

// only returns the single provider of a schema file: [fqpn, its schema, its version].
function only(schema, file) {
  const names = Object.keys(schema.provider_schemas || {});
  if (names.length !== 1) fail(`${file}: holds ${names.length} providers, not one`);
  const version = (schema.provider_versions || {})[names[0]];
  if (!version) fail(`${file}: no provider_versions entry for ${names[0]}`);
  return [names[0], schema.provider_schemas[names[0]], version];
}

async function generate(outdir) {
  // @cdktf/commons runs `terraform version` when it is loaded, which is of
  // no use here and prints warnings without a Terraform CLI configuration.
  process.env.TERRAFORM_BINARY_NAME = "true";
  const load = (m) => require(require.resolve(m, { paths: [root] }));
  const { CodeMaker, TerraformProviderGenerator, generateJsiiLanguage } = load("@cdktf/provider-generator");
  const { TerraformProviderConstraint, ConstructsMakerTarget, Language } = load("@cdktf/commons");

  const code = new CodeMaker();
  code.indentation = 2;
  const names = [];
  for (const file of schemaFiles()) {
    const schema = JSON.parse(fs.readFileSync(file, "utf8"));
    const [fqpn, , version] = only(schema, file);
    const [, namespace, name] = fqpn.split("/");
    const target = ConstructsMakerTarget.from(
      new TerraformProviderConstraint({ name, source: `${namespace}/${name}`, version, namespace }),
      Language.GO,
    );
    new TerraformProviderGenerator(code, schema).generate(target);
    names.push(name);
  }
  if (names.length === 0) fail(`no *${suffix} in ${dir}`);
  // One jsii assembly for all providers: one compilation, one package for
  // jsii to load at synthesis. Each provider is a submodule, loaded lazily.
  code.openFile("index.ts");
  for (const n of names) code.line(`export * as ${n} from './providers/${n}';`);
  code.closeFile("index.ts");
  code.openFile("lazy-index.ts");
  for (const n of names) {
    code.line(`Object.defineProperty(exports, '${n}', { get: function () { return require('./providers/${n}/lazy-index'); } });`);
  }
  code.closeFile("lazy-index.ts");

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bindings-"));
  try {
    const deps = ["@types/node", "constructs", "cdktf"].map((d) => path.dirname(require.resolve(`${d}/package.json`, { paths: [root] })));
    await generateJsiiLanguage(code, {
      entrypoint: "index.ts",
      deps,
      moduleKey: packageName,
      exports: { ".": { import: "./index.js", require: "./lazy-index.js" } },
      golang: { outdir: tmp, moduleName: modulePath, packageName },
    }, tmp);
    const src = path.join(tmp, packageName);
    // The generator drops jsii-pacmak's go.mod (it expects to be inside the
    // app's module); the bindings are a module of their own, which go.mod
    // replaces, requiring what the app requires.
    fs.writeFileSync(path.join(src, "go.mod"), goMod());
    for (const f of walk(src)) if (f.endsWith(".md")) fs.rmSync(f);
    fs.rmSync(outdir, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(outdir), { recursive: true });
    fs.renameSync(src, outdir);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`bindings: ${names.join(", ")} into ${path.relative(root, outdir)}`);
}

// goMod is the bindings module's go.mod: its path, and the versions of the
// jsii runtime, constructs and cdktf modules that the app's go.mod requires.
function goMod() {
  const app = fs.readFileSync(path.join(root, "go.mod"), "utf8");
  const want = ["github.com/aws/constructs-go/constructs/v10", "github.com/aws/jsii-runtime-go", "github.com/hashicorp/terraform-cdk-go/cdktf"];
  const lines = want.map((m) => {
    const found = new RegExp(`^\\s*${m.replace(/[./]/g, "\\$&")}\\s+(v\\S+)`, "m").exec(app);
    if (!found) fail(`go.mod does not require ${m}`);
    return `\t${m} ${found[1]}`;
  });
  const goVersion = /^go\s+(\S+)/m.exec(app)[1];
  return `module ${modulePath}/${packageName}\n\ngo ${goVersion}\n\nrequire (\n${lines.join("\n")}\n)\n`;
}

function* walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

function refresh(args) {
  const name = args.shift();
  if (!name || name.startsWith("-")) fail("usage: refresh PROVIDER [--version V] [--add TYPE]... [--remove TYPE]...");
  const file = path.join(dir, name + suffix);
  if (!fs.existsSync(file)) fail(`${path.relative(root, file)} does not exist; the providers are: ${schemaFiles().map((f) => path.basename(f, suffix)).join(", ")}`);
  const old = JSON.parse(fs.readFileSync(file, "utf8"));
  const [fqpn, oldProvider, oldVersion] = only(old, file);
  let version = oldVersion;
  const resources = new Set(Object.keys(oldProvider.resource_schemas || {}));
  const dataSources = new Set(Object.keys(oldProvider.data_source_schemas || {}));
  while (args.length) {
    const flag = args.shift();
    const value = args.shift();
    if (!value) fail(`${flag} needs a value`);
    const isData = value.startsWith("data.");
    const set = isData ? dataSources : resources;
    const type = isData ? value.slice(5) : value;
    if (flag === "--version") version = value;
    else if (flag === "--add") set.add(type);
    else if (flag === "--remove") set.delete(type) || fail(`${value} is not kept in ${path.basename(file)}`);
    else fail(`unknown option ${flag}`);
  }

  const full = withProviders({ [fqpn]: version }, (tmp, tf) =>
    JSON.parse(execFileSync(tf, ["providers", "schema", "-json"], { cwd: tmp, maxBuffer: 1 << 30 }).toString()));
  const provider = full.provider_schemas[fqpn];
  if (!provider) fail(`terraform returned no schema for ${fqpn}`);
  const pick = (all, kept, kind) => {
    const out = {};
    const missing = [];
    for (const t of [...kept].sort()) {
      if (all[t]) out[t] = all[t];
      else missing.push(t);
    }
    if (missing.length) fail(`${name} ${version} has no ${kind} ${missing.join(", ")}`);
    return out;
  };
  const trimmed = {
    format_version: full.format_version,
    provider_versions: { [fqpn]: version },
    provider_schemas: {
      [fqpn]: {
        provider: provider.provider,
        resource_schemas: pick(provider.resource_schemas || {}, resources, "resource"),
        data_source_schemas: pick(provider.data_source_schemas || {}, dataSources, "data source"),
      },
    },
  };
  fs.writeFileSync(file, JSON.stringify(sortKeys(trimmed), null, 1) + "\n");
  console.log(`bindings: ${path.relative(root, file)}: ${name} ${version}, ${resources.size} resources, ${dataSources.size} data sources`);
}

// withProviders runs terraform init in a temporary directory whose
// configuration requires the providers (fully qualified name to version),
// then fn(dir, terraform), and removes the directory.
function withProviders(versions, fn) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bindings-providers-"));
  try {
    const required = {};
    for (const [fqpn, version] of Object.entries(versions)) {
      const [, namespace, name] = fqpn.split("/");
      required[name] = { source: `${namespace}/${name}`, version };
    }
    fs.writeFileSync(path.join(tmp, "main.tf.json"), JSON.stringify({ terraform: { required_providers: required } }));
    const tf = process.env.TERRAFORM || "terraform";
    execFileSync(tf, ["init", "-backend=false", "-input=false", "-no-color"], { cwd: tmp, stdio: ["ignore", "ignore", "inherit"] });
    return fn(tmp, tf);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// available exits 0 when Terraform installs every provider at its schema's
// version, 1 otherwise.
function available() {
  const versions = {};
  for (const file of schemaFiles()) {
    const [fqpn, , version] = only(JSON.parse(fs.readFileSync(file, "utf8")), file);
    versions[fqpn] = version;
  }
  try {
    withProviders(versions, () => {});
  } catch {
    process.exit(1);
  }
}

// sortKeys orders every object's keys, so that a refresh's diff shows what
// changed in the schema and nothing else.
function sortKeys(v) {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  }
  return v;
}

const [cmd, ...rest] = process.argv.slice(2);
if (cmd === "generate" && rest.length === 1) {
  generate(path.resolve(rest[0])).catch((e) => fail(e.stack || String(e)));
} else if (cmd === "refresh") {
  refresh(rest);
} else if (cmd === "available" && rest.length === 0) {
  available();
} else {
  fail("usage: bindings.js generate OUTDIR | available | refresh PROVIDER [--version V] [--add TYPE]... [--remove TYPE]...");
}
