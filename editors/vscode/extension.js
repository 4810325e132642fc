// The Proviso extension: starts `proviso lsp` (the command set by `proviso.server.path`)
// and connects VS Code to it over standard input and output.
"use strict";

const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function start() {
  const config = vscode.workspace.getConfiguration("proviso");
  const command = config.get("server.path") || "proviso";
  const args = ["lsp", ...(config.get("server.extraArgs") || [])];
  client = new LanguageClient(
    "proviso",
    "Proviso",
    { run: { command, args }, debug: { command, args } },
    { documentSelector: [{ language: "proviso" }] }
  );
  return client.start();
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("proviso.server")) {
        if (client) {
          await client.stop();
        }
        await start();
      }
    })
  );
  await start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
