// The COPIS extension: starts `copis lsp` (setting `copis.command`) as the
// language server, and opens the live preview (`copis watch --serve`).
"use strict";

const vscode = require("vscode");
const { spawn } = require("child_process");
const path = require("path");
const { LanguageClient } = require("vscode-languageclient/node");

let client;
let preview; // { process, url }

function serverOptions() {
  const [command, ...args] = vscode.workspace.getConfiguration("copis").get("command", ["copis", "lsp"]);
  return { command, args, options: { env: process.env } };
}

async function startClient(context) {
  client = new LanguageClient("copis", "COPIS language server", serverOptions(), {
    documentSelector: [
      { scheme: "file", language: "copis" },
      { scheme: "untitled", language: "copis" },
    ],
  });
  try {
    await client.start();
  } catch (err) {
    vscode.window.showErrorMessage(
      `COPIS: could not start '${serverOptions().command}' (${err.message}). ` +
        "Install it with pip install 'copisdsl[lsp]', or set copis.command."
    );
  }
}

// `copis watch FOLDER -o OUTPUT --serve` prints `preview: URL` once it serves.
function openPreview() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  if (!folder) {
    vscode.window.showWarningMessage("COPIS: open a folder to preview its journeys.");
    return;
  }
  if (preview) {
    vscode.env.openExternal(vscode.Uri.parse(preview.url));
    return;
  }
  const settings = vscode.workspace.getConfiguration("copis");
  const [command, ...args] = settings.get("preview.command", ["copis"]);
  const root = folder.uri.fsPath;
  const output = path.join(root, settings.get("preview.output", "build"));
  const child = spawn(command, [...args, "watch", root, "-o", output, "--serve", "--no-color"], { cwd: root });
  const channel = vscode.window.createOutputChannel("COPIS preview");
  let opened = false;
  const read = (data) => {
    const text = data.toString();
    channel.append(text);
    const match = /preview: (http:\/\/\S+)/.exec(text);
    if (match && !opened) {
      opened = true;
      preview = { process: child, url: match[1] };
      vscode.env.openExternal(vscode.Uri.parse(match[1]));
    }
  };
  child.stdout.on("data", read);
  child.stderr.on("data", read);
  child.on("error", (err) => vscode.window.showErrorMessage(`COPIS: could not run '${command}' (${err.message}).`));
  child.on("exit", (code) => {
    preview = undefined;
    if (!opened) {
      channel.show(true);
      vscode.window.showErrorMessage(`COPIS: the preview stopped (exit code ${code}); see the COPIS preview output.`);
    }
  });
}

function activate(context) {
  startClient(context);
  context.subscriptions.push(
    vscode.commands.registerCommand("copis.openPreview", openPreview),
    vscode.commands.registerCommand("copis.restartServer", async () => {
      if (client) {
        await client.stop();
      }
      await startClient(context);
    }),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("copis.command") && client) {
        await client.stop();
        await startClient(context);
      }
    }),
    { dispose: () => preview && preview.process.kill() }
  );
}

async function deactivate() {
  if (preview) {
    preview.process.kill();
  }
  if (client) {
    await client.stop();
  }
}

module.exports = { activate, deactivate };
